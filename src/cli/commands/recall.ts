import type { Command } from 'commander';
import type { RecallResponse } from '../../search/recall/schema.js';
import type { GlobalOptions } from '../load.js';
import { collect, oneLine, printResult, truncate } from '../output.js';

const session = () => import('../session.js');

const explainLine = (r: RecallResponse['results'][number]) => {
  const e = r.explain;
  const parts = [
    e.fulltext ? `fulltext #${e.fulltext.rank} (${e.fulltext.score.toFixed(2)})` : '',
    e.vector ? `vector #${e.vector.rank} (${e.vector.score.toFixed(3)})` : '',
    e.graph
      ? `graph ${e.graph.depth} hop(s) from ${e.graph.via.slice(0, 8)} (+${e.graph.boost.toFixed(3)})`
      : '',
  ];
  return `   ${parts.filter(Boolean).join(' · ')}`;
};

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('recall')
    .description('find what you meant: words, meaning and links together')
    .argument('<query...>')
    .option('--strategy <s>', 'hybrid (default), fulltext, vector or graph')
    .option('--limit <n>', 'how many', Number)
    .option('--namespace <ns>')
    .option('--kind <kind>', 'kind (repeat or comma-separate)', collect)
    .option('--tag <tag>', 'tag (repeat or comma-separate)', collect)
    .option('--rewrite <r>', 'none, expand or auto (decompose, hyde: with a language model)')
    .option('--explain', 'show each signal’s rank and score')
    .action(async (words: string[], o) => {
      const { withClient } = await session();
      const res = await withClient(globals(), (c) =>
        c.recall({
          text: words.join(' '),
          ...(o.strategy ? { strategy: o.strategy } : {}),
          ...(o.limit ? { limit: o.limit } : {}),
          ...(o.namespace ? { namespace: o.namespace } : {}),
          ...(o.kind ? { kinds: o.kind } : {}),
          ...(o.tag ? { tags: o.tag } : {}),
          ...(o.rewrite ? { rewrite: o.rewrite } : {}),
        }),
      );
      printResult(globals(), res, () => {
        const lines = res.notices.map((n) => `note: ${n}`);
        if (res.results.length === 0) lines.push('nothing found');
        res.results.forEach((r, i) => {
          lines.push(
            `${i + 1}. ${r.node.title ?? truncate(oneLine(r.node.content), 60)}  [${r.node.kind}] ${r.node.id}  ${r.score.toFixed(2)} ${r.match_source}`,
          );
          if (o.explain) lines.push(explainLine(r));
        });
        return lines.join('\n');
      });
    });
}
