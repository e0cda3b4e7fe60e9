import type { Command } from 'commander';
import type { NeighborsResult } from '../client.js';
import type { GlobalOptions } from '../load.js';
import { oneLine, printResult, truncate } from '../output.js';

const session = () => import('../session.js');
const label = (n: { title: string | null; content: string; id: string }) =>
  `${n.title ?? truncate(oneLine(n.content), 50)} (${n.id.slice(0, 8)})`;

/** Neighbours as a tree: each node under the one it was reached from. */
function tree(root: string, r: NeighborsResult): string {
  const children = new Map<string, NeighborsResult['neighbors']>();
  for (const n of r.neighbors) {
    const parent = n.direction === 'out' ? n.relationship.from_node : n.relationship.to_node;
    children.set(parent, [...(children.get(parent) ?? []), n]);
  }
  const lines = [root];
  const walk = (id: string, indent: string) => {
    const kids = children.get(id) ?? [];
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      const arrow = k.direction === 'out' ? `─${k.relationship.kind}→` : `←${k.relationship.kind}─`;
      lines.push(`${indent}${last ? '└' : '├'}${arrow} ${label(k.node)}`);
      walk(k.node.id, `${indent}${last ? '   ' : '│  '}`);
    });
  };
  walk(r.node_id, '');
  return lines.join('\n');
}

export function register(program: Command, globals: () => GlobalOptions) {
  const graph = program
    .command('graph')
    .description('a node’s neighbourhood as a tree (`hx graph path A B` for the chain between two nodes)')
    .argument('[id]')
    .option('--depth <n>', 'hops to follow', Number)
    .option('--kind <kind>', 'only these relationship kinds (comma-separated)')
    .action(async (id: string | undefined, o) => {
      if (!id) return graph.help();
      const { withClient } = await session();
      const { root, res } = await withClient(globals(), async (c) => ({
        root: await c.getNode(id),
        res: await c.neighbors(id, {
          ...(o.depth ? { depth: o.depth } : {}),
          ...(o.kind ? { kind: o.kind.split(',') } : {}),
        }),
      }));
      printResult(globals(), res, () => tree(label(root), res));
    });
  graph
    .command('path')
    .description('the shortest chain of relationships between two nodes')
    .argument('<from>')
    .argument('<to>')
    .action(async (from: string, to: string) => {
      const { withClient } = await session();
      const res = await withClient(globals(), (c) => c.path(from, to));
      printResult(globals(), res, () => `${res.hops} hop(s): ${res.nodes.map(label).join(' → ')}`);
    });
}
