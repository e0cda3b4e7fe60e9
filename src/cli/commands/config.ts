import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../core/config/load.js';
import { configKeys, findKey, parseKeyValue } from '../../core/config/keys.js';
import { setTomlKey } from '../../core/config/toml-text.js';
import { HelixError } from '../../core/errors.js';
import { printResult } from '../output.js';
import { type GlobalOptions, loadFor } from '../load.js';

/** Keys whose values are secrets: shown as set/unset, never printed. */
const SECRET_KEYS = new Set([
  'auth.token',
  'auth.jwt_secret',
  'llm.api_key',
  'embedding.api_key',
  'email.imap_password',
  'email.smtp_password',
]);
const mask = (path: string, v: unknown) => (SECRET_KEYS.has(path) && v ? '[set]' : v);

export function register(program: Command, globals: () => GlobalOptions) {
  const config = program.command('config').description('show, change and check the configuration');

  config
    .command('show')
    .description('the effective configuration (secrets masked) and where each changed key came from')
    .action(() => {
      const loaded = loadFor(globals());
      const masked = Object.fromEntries(
        Object.entries(loaded.config).map(([section, keys]) => [
          section,
          Object.fromEntries(
            Object.entries(keys as Record<string, unknown>).map(([k, v]) => [k, mask(`${section}.${k}`, v)]),
          ),
        ]),
      );
      printResult(
        globals(),
        { home: loaded.paths.home, env: loaded.env, config: masked, origins: loaded.origins },
        () => {
          const lines = [`# HELIX_HOME=${loaded.paths.home} (HELIX_ENV=${loaded.env})`];
          for (const [section, keys] of Object.entries(masked)) {
            lines.push(`\n[${section}]`);
            for (const [k, v] of Object.entries(keys)) {
              const origin = loaded.origins[`${section}.${k}`];
              lines.push(`${k} = ${JSON.stringify(v)}${origin ? `  # from ${origin}` : ''}`);
            }
          }
          return lines.join('\n');
        },
      );
    });

  config
    .command('set')
    .description('set KEY (section.key) to VALUE in $HELIX_HOME/config.toml, validated first')
    .argument('<key>', 'section.key, e.g. server.rest_port')
    .argument('<value>')
    .action((path: string, raw: string) => {
      const key = findKey(path);
      if (!key) {
        const close = configKeys
          .filter((k) => k.key === path.split('.').pop() || k.path.startsWith(path))
          .map((k) => k.path);
        throw new HelixError(
          'validation_error',
          `unknown key ${path}${close.length ? ` (did you mean ${close.slice(0, 3).join(', ')}?)` : ''}`,
        );
      }
      const loaded = loadFor(globals());
      const file = loaded.paths.configFile;
      const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
      const value = parseKeyValue(key, raw);
      const after = setTomlKey(before, key.section, key.key, value);
      // validate the whole result before writing, so a bad value never lands in the file
      const candidate = loadFor(globals(), {}, after);
      mkdirSync(loaded.paths.home, { recursive: true, mode: 0o700 });
      writeFileSync(file, after, { mode: 0o600 });
      const effective = (candidate.config as Record<string, Record<string, unknown>>)[key.section]?.[key.key];
      const overriddenBy = Object.entries(loadFor(globals()).origins).find(
        ([p, o]) => p === path && !o.startsWith(file),
      )?.[1];
      printResult(
        globals(),
        { key: path, value: mask(path, value), file, overridden_by: overriddenBy ?? null },
        () =>
          `${path} = ${JSON.stringify(mask(path, effective))} written to ${file}${overriddenBy ? ` (but ${overriddenBy} overrides it)` : ''}`,
      );
    });

  config
    .command('validate')
    .description('check the configuration; exit 1 listing file, key, expected type and value of each problem')
    .action(() => {
      try {
        const loaded = loadFor(globals());
        printResult(
          globals(),
          { valid: true, home: loaded.paths.home },
          () => `configuration is valid (${loaded.paths.configFile})`,
        );
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        printResult(globals(), { valid: false, problems: err.problems }, () => err.message);
        process.exitCode = 1;
      }
    });
}
