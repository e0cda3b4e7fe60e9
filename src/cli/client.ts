import type { Writable } from 'node:stream';
import type { Page } from '../knowledge/nodes/list.js';
import type { KnowledgeNode } from '../knowledge/nodes/schema.js';
import type { Stats } from '../knowledge/stats.js';
import type { ImportSummary } from '../knowledge/transfer/import.js';
import type { FulltextHit } from '../search/fulltext/service.js';
import type { RecallResponse } from '../search/recall/schema.js';
import type { Neighbor } from '../knowledge/relationships/service.js';

export interface NeighborsResult {
  node_id: string;
  depth: number;
  neighbors: Neighbor[];
}

export interface ListParams {
  namespace?: string;
  kind?: string[];
  tag?: string[];
  limit?: number;
  cursor?: string;
}

export interface SearchParams {
  q: string;
  limit?: number;
  namespace?: string;
  kind?: string[];
  tag?: string[];
}

/**
 * What CLI commands need from Helix. Two implementations: straight on the local data home, or
 * over the REST API of a server (`--server URL`). Commands never care which.
 */
export interface HelixClient {
  createNode(input: Record<string, unknown>): Promise<KnowledgeNode>;
  getNode(id: string): Promise<KnowledgeNode>;
  listNodes(params: ListParams): Promise<Page<KnowledgeNode>>;
  search(params: SearchParams): Promise<{ results: FulltextHit[] }>;
  importLines(
    lines: AsyncIterable<string>,
    options: { namespace?: string; onProgress?: (n: number) => void },
  ): Promise<ImportSummary>;
  exportTo(out: Writable, options: { namespace?: string }): Promise<number>;
  stats(): Promise<Stats>;
  recall(body: Record<string, unknown>): Promise<RecallResponse>;
  neighbors(id: string, params: { depth?: number; kind?: string[] }): Promise<NeighborsResult>;
  path(from: string, to: string): Promise<{ hops: number; nodes: KnowledgeNode[] }>;
  close(): Promise<void>;
}
