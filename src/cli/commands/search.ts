import type { Command } from 'commander';
import { collect, oneLine, printResult, truncate } from '../output.js';
import type { GlobalOptions } from '../load.js';

const session = () => import('../session.js');
const unmark = (s: string) =>
  s.replace(/<\/?mark>/g, (m) => (process.stdout.isTTY ? (m === '<mark>' ? '\x1b[1m' : '\x1b[0m') : ''));

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('search')
    .description('full-text search ("phrases", prefix*, AND/OR/NOT work too)')
    .argument('<query...>')
    .option('--limit <n>', 'how many', Number)
    .option('--namespace <ns>')
    .option('--kind <kind>', 'kind (repeat or comma-separate)', collect)
    .option('--tag <tag>', 'tag (repeat or comma-separate)', collect)
    .action(async (words: string[], o) => {
      const { withClient } = await session();
      const res = await withClient(globals(), (c) =>
        c.search({ q: words.join(' '), limit: o.limit, namespace: o.namespace, kind: o.kind, tag: o.tag }),
      );
      printResult(globals(), res, () =>
        res.results.length === 0
          ? 'no matches'
          : res.results
              .map(
                (r, i) =>
                  `${i + 1}. ${r.node.title ?? '(untitled)'}  [${r.node.kind}] ${r.node.id}  score ${r.score.toFixed(3)}\n   ${unmark(truncate(oneLine(r.snippet), 160))}`,
              )
              .join('\n'),
      );
    });
}
