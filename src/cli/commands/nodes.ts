import type { Command } from 'commander';
import type { KnowledgeNode } from '../../knowledge/nodes/schema.js';
import { collect, humanBytes, oneLine, printResult, table, truncate } from '../output.js';
import type { GlobalOptions } from '../load.js';

const session = () => import('../session.js');

export const showNode = (n: KnowledgeNode) =>
  [
    `${n.title ?? '(untitled)'}  [${n.kind}]  ${n.id}`,
    `namespace ${n.namespace} · version ${n.version} · importance ${n.importance} · updated ${n.updated_at}`,
    n.tags.length ? `tags: ${n.tags.map((t) => `#${t}`).join(' ')}` : '',
    n.source ? `source: ${n.source}` : '',
    '',
    n.content,
  ]
    .filter((l, i) => l !== '' || i === 4)
    .join('\n');

export const nodeRows = (nodes: KnowledgeNode[]) => [
  ['ID', 'KIND', 'NAMESPACE', 'TITLE'],
  ...nodes.map((n) => [n.id, n.kind, n.namespace, truncate(oneLine(n.title ?? n.content), 60)]),
];

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('store')
    .description('store a node and print its id (content from the argument, or stdin when it is -)')
    .argument('<content>', 'markdown content, or - to read stdin')
    .option('--title <title>')
    .option('--kind <kind>', 'fact, task, event, decision, …', 'fact')
    .option('--tag <tag>', 'a tag (repeat or comma-separate)', collect)
    .option('--namespace <ns>')
    .option('--importance <n>', '0..1', Number)
    .option('--source <source>', 'URL or origin')
    .action(async (content: string, o) => {
      const text = content === '-' ? await readStdin() : content;
      const { withClient } = await session();
      const node = await withClient(globals(), (c) =>
        c.createNode({
          content: text,
          kind: o.kind,
          ...(o.title ? { title: o.title } : {}),
          ...(o.tag ? { tags: o.tag } : {}),
          ...(o.namespace ? { namespace: o.namespace } : {}),
          ...(o.importance !== undefined ? { importance: o.importance } : {}),
          ...(o.source ? { source: o.source } : {}),
        }),
      );
      printResult(globals(), node, () => node.id);
    });

  program
    .command('get')
    .description('print a node')
    .argument('<id>')
    .action(async (id: string) => {
      const { withClient } = await session();
      const node = await withClient(globals(), (c) => c.getNode(id));
      printResult(globals(), node, () => showNode(node));
    });

  program
    .command('list')
    .description('list nodes, newest first')
    .option('--namespace <ns>')
    .option('--kind <kind>', 'kind (repeat or comma-separate)', collect)
    .option('--tag <tag>', 'tag (repeat or comma-separate)', collect)
    .option('--limit <n>', 'how many', Number, 20)
    .option('--cursor <cursor>', 'next_cursor of a previous page')
    .action(async (o) => {
      const { withClient } = await session();
      const page = await withClient(globals(), (c) =>
        c.listNodes({ namespace: o.namespace, kind: o.kind, tag: o.tag, limit: o.limit, cursor: o.cursor }),
      );
      printResult(globals(), page, () =>
        page.items.length === 0
          ? 'no nodes'
          : `${table(nodeRows(page.items))}${page.next_cursor ? `\nmore: hx list --cursor ${page.next_cursor}` : ''}`,
      );
    });

  program
    .command('stats')
    .description('counts per kind and namespace, database size')
    .action(async () => {
      const { withClient } = await session();
      const s = await withClient(globals(), (c) => c.stats());
      printResult(globals(), s, () =>
        [
          `${s.nodes} nodes · ${s.relationships} relationships · ${s.tags} tags · ${s.versions} versions · ${s.tombstones} tombstones`,
          `database ${humanBytes(s.db_bytes)} (+ ${humanBytes(s.wal_bytes)} WAL)`,
          `encryption at rest: ${s.encryption.enabled ? 'on' : 'off'} · search: ${s.encryption.search_scope}`,
          '',
          table([['KIND', 'NODES'], ...Object.entries(s.by_kind).map(([k, n]) => [k, String(n)])]),
          '',
          table([['NAMESPACE', 'NODES'], ...Object.entries(s.by_namespace).map(([k, n]) => [k, String(n)])]),
        ].join('\n'),
      );
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
