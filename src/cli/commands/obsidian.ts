import { HelixError } from '../../core/errors.js';
import { Namespace } from '../../knowledge/nodes/schema.js';
import { vaultRecords } from '../../knowledge/obsidian/vault-records.js';
import type { VaultReport } from '../../knowledge/obsidian/vault-report.js';
import type { ImportFailure, ImportSummary } from '../../knowledge/transfer/import.js';
import type { GlobalOptions } from '../load.js';
import { printResult } from '../output.js';
import { progressBar } from '../progress.js';

export interface ObsidianFailure extends ImportFailure {
  /** the note (or `from -> to` edge) the failed record came from */
  path?: string;
}

export interface ObsidianImportResult extends Omit<ImportSummary, 'failures'> {
  failures: ObsidianFailure[];
  vault: VaultReport;
  elapsed_ms: number;
}

const MISSING_SHOWN = 10;
const FAILURES_SHOWN = 20;

export function obsidianSummaryText(r: ObsidianImportResult): string {
  const v = r.vault;
  const lines = [
    `notes: imported ${r.imported} · updated ${r.updated} · skipped ${r.skipped} · failed ${r.failed}`,
    `relationships: imported ${r.relationships.imported} · skipped ${r.relationships.skipped} · failed ${r.relationships.failed}`,
    `vault ${v.vault}: ${v.notes} notes · ${v.attachments} attachments (${v.attachments_used} used) · ${v.tags} tags`,
    `links: ${v.links.found} found · ${v.links.resolved} resolved (${v.links.to_notes} to notes, ${v.links.to_attachments} to attachments, ${v.links.same_note} within a note) · ${v.links.missing} missing`,
    `embeds: ${v.embeds.found} (${v.embeds.notes} notes, ${v.embeds.attachments} attachments, ${v.embeds.missing} missing)`,
  ];
  if (v.missing_links_count > 0) {
    lines.push(`missing links: ${v.missing_links_count}`);
    for (const m of v.missing_links.slice(0, MISSING_SHOWN))
      lines.push(`  ${m.from} -> ${m.embed ? '!' : ''}[[${m.target}]]`);
    if (v.missing_links_count > MISSING_SHOWN)
      lines.push(`  … ${v.missing_links_count - MISSING_SHOWN} more (use --json)`);
  }
  for (const e of v.frontmatter_errors.slice(0, FAILURES_SHOWN))
    lines.push(`frontmatter not read: ${e.path}: ${e.message}`);
  if (r.failures.length > 0) lines.push('failures:');
  for (const f of r.failures.slice(0, FAILURES_SHOWN))
    lines.push(`  ${f.path ?? `line ${f.line}`}: ${f.reason}`);
  if (r.failures.length > FAILURES_SHOWN)
    lines.push(`  … ${r.failures.length - FAILURES_SHOWN} more (use --json for all)`);
  lines.push(`took ${(r.elapsed_ms / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/** `hx import --obsidian DIR`: the vault becomes export-format records, imported like any export. */
export async function importObsidian(globals: GlobalOptions, dir: string, namespace?: string): Promise<void> {
  // checked before reading the vault: a bad namespace would fail every record one by one
  if (namespace !== undefined && !Namespace.safeParse(namespace).success) {
    const message = `--namespace ${namespace}: letters, digits, _ . - (at most 64, starting with a letter or digit)`;
    throw new HelixError('validation_error', message, { field: 'namespace' });
  }
  const started = performance.now();
  const json = globals.json ?? false;
  const { withClient } = await import('../session.js');
  const bar = progressBar('obsidian', 1, !json);
  // counted in records (header, notes, edges): reading the notes moves it first, then the
  // importer's own progress carries it through the edges, which are written last
  let shown = 0;
  let total = 1;
  const show = (done: number) => {
    shown = Math.max(shown, done);
    bar.update(shown, total);
  };
  const vault = await vaultRecords(dir, {
    ...(namespace ? { namespace } : {}),
    onNote: (done, notes) => {
      total = Math.max(total, notes + 1);
      show(done + 1);
    },
    onEdges: (edges) => {
      total = vault.notes + 1 + edges;
      show(shown);
    },
  });
  let summary: ImportSummary;
  try {
    summary = await withClient(globals, (c) =>
      c.importLines(vault.lines, { ...(namespace ? { namespace } : {}), onProgress: show }),
    );
  } finally {
    bar.stop();
  }
  const report = vault.report();
  // a note that could not even be read never reached the importer: count it with the failures
  const unreadable: ObsidianFailure[] = report.unreadable.map((u) => ({
    line: 0,
    path: u.path,
    reason: `cannot read: ${u.reason}`,
  }));
  const result: ObsidianImportResult = {
    ...summary,
    failed: summary.failed + unreadable.length,
    failures: [
      ...unreadable,
      ...summary.failures.map((f) => {
        const path = vault.describeLine(f.line);
        return path ? { ...f, path } : f;
      }),
    ],
    vault: report,
    elapsed_ms: Math.round(performance.now() - started),
  };
  printResult(globals, result, () => obsidianSummaryText(result));
  if (result.failed > 0 || result.relationships.failed > 0) process.exitCode = 2;
}
