import type { Api } from './http.js';

/** The node as the API returns it (the reference fields). */
export interface ApiNode {
  id: string;
  kind: string;
  title: string | null;
  content: string;
  source: string | null;
  namespace: string;
  tags: string[];
  importance: number;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_accessed_at: string | null;
  access_count: number;
  version: number;
  expires_at: string | null;
}

export interface ApiRelationship {
  id: string;
  from_node: string;
  to_node: string;
  kind: string;
  weight: number;
  metadata: Record<string, unknown>;
  created_at: string;
}

let seq = 0;

/** A valid POST /api/v1/nodes body; override any field. */
export function nodeInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    kind: 'fact',
    title: `Factory node ${seq}`,
    content: `factory content number ${seq}`,
    ...overrides,
  };
}

export async function createNode(api: Api, overrides: Record<string, unknown> = {}): Promise<ApiNode> {
  const res = await api.post<ApiNode>('/api/v1/nodes', nodeInput(overrides));
  if (res.status !== 201) throw new Error(`createNode: ${res.status} ${res.text}`);
  return res.body;
}

/** Creates nodes one after another (so created_at order is their order). */
export async function createNodes(
  api: Api,
  count: number,
  overrides: (i: number) => Record<string, unknown> = () => ({}),
) {
  const nodes: ApiNode[] = [];
  for (let i = 0; i < count; i++) nodes.push(await createNode(api, overrides(i)));
  return nodes;
}

export async function relate(
  api: Api,
  from: string,
  to: string,
  kind = 'relates_to',
): Promise<ApiRelationship> {
  const res = await api.post<ApiRelationship>('/api/v1/graph/relationships', {
    from_node: from,
    to_node: to,
    kind,
  });
  if (res.status !== 201) throw new Error(`relate: ${res.status} ${res.text}`);
  return res.body;
}

/** Every field a node carries on the wire (the reference's). */
export const NODE_FIELDS = [
  'access_count',
  'content',
  'created_at',
  'expires_at',
  'id',
  'importance',
  'kind',
  'last_accessed_at',
  'metadata',
  'namespace',
  'source',
  'tags',
  'title',
  'updated_at',
  'version',
];

/** A node line of the export format (JSON Lines), with a fixed id derived from `n`. */
export function exportedNode(n: number, content: string): Record<string, unknown> {
  return {
    type: 'node',
    id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    kind: 'fact',
    title: null,
    content,
    namespace: 'default',
    tags: [],
    importance: 0.5,
    metadata: {},
    created_at: '2024-07-01T00:00:00.000Z',
    updated_at: '2024-07-01T00:00:00.000Z',
  };
}
