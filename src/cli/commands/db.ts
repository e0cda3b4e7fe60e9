import type { Command } from 'commander';
import type { CheckResult, DbStatus } from '../../storage/maintenance.js';
import type { GlobalOptions } from '../load.js';
import { humanBytes, printResult, table } from '../output.js';

const session = () => import('../session.js');
const maintenance = () => import('../../storage/maintenance.js');

const statusText = (s: DbStatus) =>
  [
    s.exists
      ? `database ${s.path} · ${humanBytes(s.db_bytes)} (+ ${humanBytes(s.wal_bytes)} WAL) · SQLite ${s.sqlite_version} · journal ${s.journal_mode}`
      : `database ${s.path} does not exist yet (created by the first command that opens it)`,
    s.exists ? `${s.page_count} pages of ${s.page_size} bytes, ${s.freelist_count} free` : '',
    `schema version ${s.schema_version} · ${s.applied} applied · ${s.pending} pending${s.pending ? ' (hx db migrate)' : ''}`,
    '',
    table([
      ['VERSION', 'NAME', 'STATE', 'APPLIED AT'],
      ...s.migrations.map((m) => [String(m.version).padStart(4, '0'), m.name, m.state, m.applied_at ?? '-']),
    ]),
  ]
    .filter((line, i) => line !== '' || i === 3)
    .join('\n');

const checkText = (r: CheckResult) => {
  const c = r.counts;
  const counts = `${c.nodes} nodes · ${c.node_tags} node tags · ${c.relationships} relationships · ${c.node_versions} versions · ${c.tombstones} tombstones · ${c.fts_rows} indexed`;
  if (r.ok) return `ok: ${counts}`;
  return [
    `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`,
    ...r.problems.map((p) => `  ${p.check}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`),
    counts,
  ].join('\n');
};

export function register(program: Command, globals: () => GlobalOptions) {
  const db = program.command('db').description('database status, migrations, checks and repairs');

  db.command('status')
    .description('schema version, migrations applied and pending, journal mode and size')
    .action(async () => {
      // opened directly, not through createApp, which would apply pending migrations first
      const [{ existsSync }, { loadFor }, { openDatabase }, { dbStatus }] = await Promise.all([
        import('node:fs'),
        import('../load.js'),
        import('../../storage/database.js'),
        maintenance(),
      ]);
      const { config, paths } = loadFor(globals());
      let status: DbStatus;
      if (!existsSync(paths.sqlitePath)) status = dbStatus(undefined, paths);
      else {
        const handle = openDatabase(paths.sqlitePath, { busyTimeoutMs: config.storage.busy_timeout_ms });
        try {
          status = dbStatus(handle, paths);
        } finally {
          handle.close();
        }
      }
      printResult(globals(), status, () => statusText(status));
    });

  db.command('migrate')
    .description('apply pending migrations and list what was applied')
    .action(async () => {
      const [{ loadFor }, { openDatabase }, { ensureHome }, { migrate, migrationStatus }] = await Promise.all(
        [
          import('../load.js'),
          import('../../storage/database.js'),
          import('../../storage/home.js'),
          import('../../storage/migrations.js'),
        ],
      );
      const { config, paths } = loadFor(globals());
      ensureHome(paths);
      const handle = openDatabase(paths.sqlitePath, {
        busyTimeoutMs: config.storage.busy_timeout_ms,
        synchronous: config.storage.synchronous,
      });
      try {
        const applied = migrate(handle, () => new Date().toISOString()).map((m) => ({
          version: m.version,
          name: m.name,
        }));
        const schemaVersion = migrationStatus(handle)
          .filter((m) => m.state === 'applied')
          .reduce((max, m) => Math.max(max, m.version), 0);
        printResult(globals(), { applied, schema_version: schemaVersion }, () =>
          applied.length === 0
            ? `nothing to apply: schema version ${schemaVersion}`
            : [
                ...applied.map((m) => `applied ${String(m.version).padStart(4, '0')}_${m.name}`),
                `schema version ${schemaVersion}`,
              ].join('\n'),
        );
      } finally {
        handle.close();
      }
    });

  db.command('check')
    .description('integrity, foreign keys and the full-text index; exits 1 when a problem is found')
    .action(async () => {
      const [{ withLocal }, { checkDatabase }] = await Promise.all([session(), maintenance()]);
      const { unlockForNodes } = await import('../../vault/cli/unlock.js');
      // the full-text check reads node text: encrypted rows need the vault key
      const result = await withLocal(globals(), async (app) => {
        await unlockForNodes(app);
        return checkDatabase(app.ctx.db);
      });
      printResult(globals(), result, () => checkText(result));
      if (!result.ok) process.exitCode = 1;
    });

  db.command('vacuum')
    .description('checkpoint the WAL, compact the file and refresh query statistics')
    .action(async () => {
      const [{ withLocal }, { vacuumDatabase }] = await Promise.all([session(), maintenance()]);
      const result = await withLocal(globals(), (app) => vacuumDatabase(app.ctx.db));
      printResult(globals(), result, () =>
        [
          `${humanBytes(result.before_bytes)} → ${humanBytes(result.after_bytes)} (reclaimed ${humanBytes(result.reclaimed_bytes)}) in ${result.duration_ms} ms`,
          result.wal_busy ? 'another connection is reading: the WAL shrinks once it finishes' : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  db.command('reindex')
    .description('rebuild the full-text index from the nodes; --vectors rebuilds the vectors too')
    .option('--vectors', 'drop and re-embed every node in the active embedding space (progress bar)')
    .option('--no-fulltext', 'leave the full-text index alone')
    .action(async (o: { vectors?: boolean; fulltext: boolean }) => {
      const [{ withLocal }, { rebuildFulltext }] = await Promise.all([session(), maintenance()]);
      const json = globals().json ?? false;
      const out: Record<string, unknown> = {};
      const { unlockForNodes } = await import('../../vault/cli/unlock.js');
      await withLocal(globals(), async (app) => {
        await unlockForNodes(app);
        if (o.fulltext) {
          if (!json) process.stderr.write('rebuilding the full-text index…\n');
          out.fulltext = rebuildFulltext(app.ctx.db);
        }
        if (o.vectors) {
          const { reindexVectors } = await import('./reindex-vectors.js');
          out.vectors = await reindexVectors(app, !json);
        }
        await app.search.close();
      });
      printResult(globals(), out, () =>
        [
          out.fulltext ? `full-text index rebuilt: ${(out.fulltext as { rows: number }).rows} rows` : '',
          out.vectors ? `vectors rebuilt: ${JSON.stringify(out.vectors)}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}
