import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as p from '@clack/prompts';
import { providerSpecs } from '../../ai/providers.js';
import { type LoadedConfig, loadConfig } from '../../core/config/load.js';
import { setTomlKey } from '../../core/config/toml-text.js';
import { ensureHome } from '../../storage/home.js';

const bail = <T>(v: T): Exclude<T, symbol> => {
  if (p.isCancel(v)) {
    p.cancel('Setup cancelled: nothing more was changed.');
    process.exit(1);
  }
  return v as Exclude<T, symbol>;
};

/**
 * `hx setup` on a terminal: data home, auth token, provider keys, default provider, embedder and
 * daily budget, then the MCP snippet and the next commands. `--quick` skips all of it.
 */
export async function runSetupWizard(initial: LoadedConfig): Promise<void> {
  p.intro('Helix setup');
  const homeAnswer = bail(
    await p.text({
      message: 'Data home (notes, database, logs)',
      defaultValue: initial.paths.home,
      placeholder: initial.paths.home,
    }),
  );
  const loaded = homeAnswer === initial.paths.home ? initial : loadConfig({ home: homeAnswer });
  const fresh = ensureHome(loaded.paths);
  const { createApp } = await import('../../api/create-app.js');
  createApp(loaded).close();
  const configFile = loaded.paths.configFile;
  let toml = existsSync(configFile) ? readFileSync(configFile, 'utf8') : '';
  const set = (section: string, key: string, value: unknown) => {
    toml = setTomlKey(toml, section, key, value);
  };

  const token = bail(
    await p.confirm({ message: 'Require a token on the API (recommended)?', initialValue: true }),
  );
  let generated: string | undefined;
  if (token) {
    generated = randomBytes(24).toString('base64url');
    set('auth', 'enabled', true);
    set('auth', 'token', generated);
  }

  const chosen = bail(
    await p.multiselect({
      message: 'LLM providers to configure now (space toggles, enter confirms; none is fine)',
      options: providerSpecs
        .filter((s) => s.env.length > 0)
        .map((s) => ({ value: s.id, label: s.label, hint: s.env.join(' + ') })),
      required: false,
    }),
  );
  const keys: [string, string][] = [];
  for (const id of chosen) {
    const spec = providerSpecs.find((s) => s.id === id)!;
    for (const name of spec.env) {
      const value = bail(await p.password({ message: `Key for ${spec.label}: ${name}`, mask: '•' }));
      if (value.trim()) keys.push([name, value.trim()]);
    }
  }
  if (keys.length && !(await storeInVault(loaded, keys))) {
    // no vault yet: the worker and hx chat also read provider keys from this .env file
    const envFile = join(loaded.paths.home, '.env');
    appendFileSync(envFile, `${keys.map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
    chmodSync(envFile, 0o600);
    p.log.warn(
      `Keys stored in ${envFile} (plain text, mode 600). Keep that file private; once \`hx keychain init\` has run, \`hx secret set NAME\` keeps them encrypted instead.`,
    );
  }

  const providers = ['auto', ...chosen];
  const def = bail(
    await p.select({
      message: 'Default provider for the AI layer',
      options: providers.map((v) => ({
        value: v,
        label: v === 'auto' ? 'auto (by task, cost and health)' : v,
      })),
      initialValue: 'auto',
    }),
  );
  set('worker', 'default_provider', def);

  const embedder = bail(
    await p.select({
      message: 'Embedder for search by meaning',
      options: [
        { value: 'local_fastembed', label: 'local ONNX model (best; needs model files in the data home)' },
        { value: 'glove', label: 'GloVe word vectors (offline, shipped)' },
        { value: 'openai', label: 'OpenAI-compatible endpoint' },
        { value: 'hash', label: 'hashing (no semantics, fastest)' },
      ],
      initialValue: loaded.config.embedding.provider,
    }),
  );
  set('embedding', 'provider', embedder);

  const budget = bail(
    await p.text({
      message: 'Daily LLM budget in USD',
      defaultValue: String(loaded.config.worker.budget_limit),
      placeholder: String(loaded.config.worker.budget_limit),
      validate: (v) => (v && !(Number(v) >= 0) ? 'a number, 0 or more' : undefined),
    }),
  );
  set('worker', 'budget_limit', Number(budget));
  writeFileSync(configFile, toml.endsWith('\n') ? toml : `${toml}\n`);

  const mcp = {
    mcpServers: { helix: { command: 'hx', args: ['--home', loaded.paths.home, 'mcp'] } },
  };
  p.note(JSON.stringify(mcp, null, 2), 'MCP client (e.g. Claude Desktop) configuration');
  if (generated) p.log.success(`API token (also in config.toml): HELIX_AUTH_TOKEN=${generated}`);
  p.outro(
    [
      `${fresh ? 'Created' : 'Updated'} ${loaded.paths.home} (config ${configFile}).`,
      'Next: hx server start · hx store "my first note" · hx search first · hx chat',
    ].join('\n'),
  );
}

/**
 * With an initialised vault, provider keys go to `hx secret` (the OS keyring, else the encrypted
 * vault), which the AI layer reads after the environment. False: no vault, or the passphrase was
 * not given, and the caller falls back to .env.
 */
async function storeInVault(loaded: LoadedConfig, keys: [string, string][]): Promise<boolean> {
  const { createApp } = await import('../../api/create-app.js');
  const { Secrets } = await import('../../vault/secrets/service.js');
  const { cliActor } = await import('../../vault/keychain-audit.js');
  const app = createApp(loaded);
  try {
    if (app.vault.state() === 'uninitialized') return false;
    const secrets = new Secrets(app.ctx, app.vault, { notice: (m) => p.log.info(m) });
    for (let attempt = 0; app.vault.state() === 'sealed'; attempt++) {
      const pass = bail(
        await p.password({ message: 'Vault passphrase (to store the keys encrypted)', mask: '•' }),
      );
      try {
        await app.vault.unseal(pass, cliActor());
      } catch (err) {
        p.log.warn((err as Error).message);
        if (attempt >= 2) return false;
      }
    }
    for (const [name, value] of keys) secrets.set(cliActor(), name, value);
    p.log.success(
      `Keys stored with hx secret (${secrets.status().write_backend}): ${keys.map(([k]) => k).join(', ')}`,
    );
    return true;
  } finally {
    app.close();
  }
}
