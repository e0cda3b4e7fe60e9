import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { HelixError } from '../../core/errors.js';
import type { ImportSummary } from '../../knowledge/transfer/import.js';
import { printResult } from '../output.js';
import { progressBar } from '../progress.js';
import type { GlobalOptions } from '../load.js';

const session = () => import('../session.js');

export const summaryText = (s: ImportSummary) => {
  const lines = [
    `imported ${s.imported} · updated ${s.updated} · skipped ${s.skipped} · failed ${s.failed}`,
    `relationships: imported ${s.relationships.imported} · updated ${s.relationships.updated} · skipped ${s.relationships.skipped} · failed ${s.relationships.failed}`,
  ];
  for (const f of s.failures.slice(0, 20))
    lines.push(`  line ${f.line}${f.id ? ` (${f.id})` : ''}: ${f.reason}`);
  if (s.failures.length > 20) lines.push(`  … ${s.failures.length - 20} more (use --json for all)`);
  return lines.join('\n');
};

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('export')
    .description('write every node, tag and relationship as JSON Lines (docs/export-format.md)')
    .option('--out <file>', 'file to write (default: stdout)')
    .option('--namespace <ns>', 'only this namespace')
    .action(async (o) => {
      const { withClient } = await session();
      const out = o.out ? createWriteStream(o.out) : process.stdout;
      const lines = await withClient(globals(), (c) => c.exportTo(out, { namespace: o.namespace }));
      if (o.out) {
        await new Promise<void>((resolve, reject) =>
          out.end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
        printResult(globals(), { file: o.out, lines }, () => `exported ${lines} lines to ${o.out}`);
      }
    });

  program
    .command('import')
    .description('import a Helix export (JSON Lines), or an Obsidian vault with --obsidian')
    .argument('<path>', 'export file, or vault folder with --obsidian')
    .option('--obsidian', 'PATH is an Obsidian vault')
    .option('--namespace <ns>', 'put every node in this namespace')
    .action(async (path: string, o) => {
      if (!existsSync(path)) throw new HelixError('not_found', `${path}: no such file or folder`);
      const json = globals().json ?? false;
      const { withClient } = await session();
      if (o.obsidian) {
        if (!statSync(path).isDirectory())
          throw new HelixError('validation_error', `${path}: --obsidian needs the vault folder`);
        const { importObsidian } = await import('./obsidian.js');
        await importObsidian(globals(), path, o.namespace);
        return;
      }
      const total = await countLines(path);
      const bar = progressBar('import', total, !json);
      const summary = await withClient(globals(), (c) =>
        c.importLines(
          createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY }),
          {
            ...(o.namespace ? { namespace: o.namespace } : {}),
            onProgress: (n) => bar.update(n),
          },
        ),
      );
      bar.stop();
      printResult(globals(), summary, () => summaryText(summary));
      if (summary.failed > 0 || summary.relationships.failed > 0) process.exitCode = 2;
    });
}
