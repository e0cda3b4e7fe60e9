import type { Writable } from 'node:stream';
import type { App } from '../api/create-app.js';
import { HelixError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import { NeighborsQuery } from '../knowledge/relationships/schema.js';
import { neighbors } from '../knowledge/relationships/service.js';
import { graphIndexFor } from '../search/graph/graph-index.js';
import { RecallBody } from '../search/recall/schema.js';
import { recall } from '../search/recall/service.js';
import { listNodes } from '../knowledge/nodes/list.js';
import { CreateNodeBody, ListNodesQuery } from '../knowledge/nodes/schema.js';
import { createNode, getNode } from '../knowledge/nodes/service.js';
import { collectStats } from '../knowledge/stats.js';
import { exportLines } from '../knowledge/transfer/export.js';
import { importRecords } from '../knowledge/transfer/import.js';
import { SearchQuery } from '../search/fulltext/schema.js';
import { searchFulltext } from '../search/fulltext/service.js';
import type { HelixClient } from './client.js';

const csv = (v?: string[]) => (v?.length ? v.join(',') : undefined);

async function write(out: Writable, chunk: string) {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/** Works straight on the data home; a running server may share it (WAL). */
export function localClient(app: App): HelixClient {
  const { ctx } = app;
  return {
    async createNode(input) {
      return createNode(ctx, validate(CreateNodeBody, input));
    },
    async getNode(id) {
      return getNode(ctx, id);
    },
    async listNodes(p) {
      return listNodes(ctx, validate(ListNodesQuery, { ...p, kind: csv(p.kind), tag: csv(p.tag) }));
    },
    async search(p) {
      return searchFulltext(ctx, validate(SearchQuery, { ...p, kind: csv(p.kind), tag: csv(p.tag) }));
    },
    async importLines(lines, options) {
      return importRecords(ctx, lines, options);
    },
    async exportTo(out, options) {
      let n = 0;
      for (const line of exportLines(ctx, options.namespace ? { namespaces: [options.namespace] } : {})) {
        await write(out, `${line}\n`);
        n++;
      }
      return n;
    },
    async stats() {
      return collectStats(ctx);
    },
    async recall(body) {
      await app.search.start();
      return recall(ctx, validate(RecallBody, body), app.search.vectors());
    },
    async neighbors(id, p) {
      return neighbors(
        ctx,
        id,
        validate(NeighborsQuery, { ...(p.depth ? { depth: p.depth } : {}), kind: csv(p.kind) }),
      );
    },
    async path(from, to) {
      getNode(ctx, from);
      getNode(ctx, to);
      const ids = graphIndexFor(ctx.db).path(from, to);
      if (!ids) throw new HelixError('not_found', `no path between ${from} and ${to}`);
      return { hops: ids.length - 1, nodes: ids.map((id) => getNode(ctx, id)) };
    },
    async close() {
      await app.shutdown();
    },
  };
}
