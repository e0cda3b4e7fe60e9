import type { Context } from '../../core/context.js';
import { HelixError, invalid, notFound } from '../../core/errors.js';
import { openValue, sealValue, secretAad } from '../data-keys.js';
import type { Keychain } from '../keychain.js';
import { type VaultActor, auditVault } from '../keychain-audit.js';
import { type KeyringProbe, probeOsKeyring } from './keyring.js';

export const backendNames = ['keyring', 'vault', 'env'] as const;
export type BackendName = (typeof backendNames)[number];

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** names the REST routes use for themselves */
const RESERVED = new Set(['status', 'unlock']);

export const envNameFor = (name: string) => `HELIX_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export interface SecretView {
  key: string;
  backend: BackendName;
  metadata: Record<string, unknown>;
  version: number | null;
  created_at: string | null;
  updated_at: string | null;
}

interface Row {
  name: string;
  backend: 'vault' | 'keyring';
  epoch: number | null;
  wrapped_dek: Buffer | null;
  ciphertext: Buffer | null;
  metadata: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface SecretsOptions {
  /** the keyring probe (default: the OS keyring) */
  keyring?: () => KeyringProbe;
  env?: NodeJS.ProcessEnv;
  /** told once when the preferred backend is unavailable and another one is used */
  notice?: (message: string) => void;
}

const present = (r: Row): SecretView => ({
  key: r.name,
  backend: r.backend,
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  version: r.version,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name))
    throw invalid('key', 'letters, digits and _.- (max 128), starting with a letter or digit');
  if (RESERVED.has(name.toLowerCase())) throw invalid('key', `${name} is reserved`);
}

/**
 * `hx secret`: one flat name → value store over backends in configured order. The OS keyring
 * when the machine has one, the encrypted vault, and environment variables (read-only). Names and
 * metadata are kept in the database for every writable backend, so `list` never needs a value.
 */
export class Secrets {
  private probe: KeyringProbe | undefined;
  private noticed = false;
  readonly order: BackendName[];

  constructor(
    private readonly ctx: Context,
    private readonly vault: Keychain,
    private readonly options: SecretsOptions = {},
  ) {
    const order = ctx.config.vault.secrets_backends;
    for (const b of order)
      if (!(backendNames as readonly string[]).includes(b))
        throw invalid('vault.secrets_backends', `unknown backend ${b} (use ${backendNames.join(', ')})`);
    this.order = order as BackendName[];
  }

  private keyring(): KeyringProbe {
    this.probe ??= (this.options.keyring ?? (() => probeOsKeyring(this.ctx.paths.home)))();
    return this.probe;
  }

  private get env() {
    return this.options.env ?? process.env;
  }

  status() {
    const probe = this.order.includes('keyring') ? this.keyring() : undefined;
    const vaultState = this.vault.state();
    const backends = this.order.map((name) => {
      if (name === 'keyring')
        return { name, writable: true, available: probe!.ok, reason: probe!.ok ? null : probe!.reason };
      if (name === 'vault')
        return {
          name,
          writable: true,
          available: vaultState === 'unsealed',
          reason: vaultState === 'unsealed' ? null : `vault is ${vaultState}`,
        };
      return { name, writable: false, available: true, reason: 'read-only: HELIX_SECRET_<NAME> variables' };
    });
    return { backends, write_backend: this.writeBackend(false), vault: vaultState };
  }

  /** The first writable backend in order that works here; the vault's sealed state is an error only when it is the one chosen. */
  private writeBackend(strict: boolean): BackendName | null {
    let skipped: string | null = null;
    for (const name of this.order) {
      if (name === 'keyring') {
        const probe = this.keyring();
        if (probe.ok) return 'keyring';
        skipped = probe.reason;
        continue;
      }
      if (name === 'vault') {
        if (strict && skipped !== null && !this.noticed) {
          this.noticed = true;
          this.ctx.logger.info(
            { reason: skipped },
            'OS keyring unavailable: secrets go to the encrypted vault',
          );
          this.options.notice?.(
            `OS keyring unavailable (${skipped}): storing in the encrypted vault instead`,
          );
        }
        return 'vault';
      }
    }
    return null;
  }

  private row(name: string): Row | undefined {
    return this.ctx.db.prepare('SELECT * FROM vault_secrets WHERE name = ?').get(name) as Row | undefined;
  }

  set(actor: VaultActor, name: string, value: string, metadata: Record<string, unknown> = {}): SecretView {
    checkSecretName(name);
    if (value.length === 0) throw invalid('value', 'must not be empty');
    const backend = this.writeBackend(true);
    if (!backend)
      throw new HelixError('conflict', 'no writable secret backend is configured (vault.secrets_backends)');
    const existing = this.row(name);
    const now = this.ctx.clock.now().toISOString();
    const version = (existing?.version ?? 0) + 1;
    let sealed: { epoch: number | null; wrapped_dek: Buffer | null; ciphertext: Buffer | null } = {
      epoch: null,
      wrapped_dek: null,
      ciphertext: null,
    };
    if (backend === 'vault') {
      const { epoch } = this.vault.activeEpoch();
      sealed = sealValue(
        this.vault.wrappingKey(epoch, 'secrets'),
        epoch,
        Buffer.from(value, 'utf8'),
        secretAad(name),
      );
    } else {
      const probe = this.keyring();
      if (probe.ok) probe.keyring.set(name, value);
    }
    const row: Row = {
      name,
      backend,
      ...sealed,
      metadata: JSON.stringify(metadata),
      version,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    } as Row;
    this.ctx.db
      .prepare(
        `INSERT INTO vault_secrets (name, backend, epoch, wrapped_dek, ciphertext, metadata, version, created_at, updated_at)
         VALUES (@name, @backend, @epoch, @wrapped_dek, @ciphertext, @metadata, @version, @created_at, @updated_at)
         ON CONFLICT (name) DO UPDATE SET backend = excluded.backend, epoch = excluded.epoch,
           wrapped_dek = excluded.wrapped_dek, ciphertext = excluded.ciphertext, metadata = excluded.metadata,
           version = excluded.version, updated_at = excluded.updated_at`,
      )
      .run(row);
    // one home per secret: a value that moved backends is removed from the old one
    if (existing?.backend === 'keyring' && backend !== 'keyring') this.keyringDelete(name);
    auditVault(this.ctx, actor, 'secret.set', 'success', name);
    return present(row);
  }

  private keyringDelete(name: string): void {
    const probe = this.keyring();
    if (probe.ok) probe.keyring.delete(name);
  }

  get(actor: VaultActor, name: string): { key: string; value: string; backend: BackendName } {
    checkSecretName(name);
    const row = this.row(name);
    for (const backend of this.order) {
      if (backend === 'keyring' && row?.backend === 'keyring') {
        const probe = this.keyring();
        const value = probe.ok ? probe.keyring.get(name) : null;
        if (value !== null) return this.read(actor, name, value, backend);
      }
      if (
        backend === 'vault' &&
        row?.backend === 'vault' &&
        row.wrapped_dek &&
        row.ciphertext &&
        row.epoch !== null
      ) {
        const value = openValue(
          this.vault.wrappingKey(row.epoch, 'secrets'),
          row as Required<Row> & { wrapped_dek: Buffer; ciphertext: Buffer },
          secretAad(name),
        );
        return this.read(actor, name, value.toString('utf8'), backend);
      }
      if (backend === 'env') {
        const value = this.env[envNameFor(name)];
        if (value !== undefined && value !== '') return this.read(actor, name, value, backend);
      }
    }
    throw notFound('secret', name);
  }

  private read(actor: VaultActor, name: string, value: string, backend: BackendName) {
    auditVault(this.ctx, actor, 'secret.read', 'success', name);
    return { key: name, value, backend };
  }

  list(): SecretView[] {
    const rows = (this.ctx.db.prepare('SELECT * FROM vault_secrets ORDER BY name').all() as Row[]).map(
      present,
    );
    if (!this.order.includes('env')) return rows;
    const known = new Set(rows.map((r) => envNameFor(r.key)));
    const fromEnv: SecretView[] = Object.keys(this.env)
      .filter((k) => k.startsWith('HELIX_SECRET_') && k.length > 13 && !known.has(k) && this.env[k])
      .sort()
      .map((k) => ({
        key: k.slice(13).toLowerCase(),
        backend: 'env',
        metadata: {},
        version: null,
        created_at: null,
        updated_at: null,
      }));
    return [...rows, ...fromEnv];
  }

  delete(actor: VaultActor, name: string): void {
    checkSecretName(name);
    const row = this.row(name);
    if (!row) {
      if (this.env[envNameFor(name)])
        throw new HelixError('forbidden', `${name} comes from the environment (read-only)`);
      throw notFound('secret', name);
    }
    if (row.backend === 'keyring') this.keyringDelete(name);
    this.ctx.db.prepare('DELETE FROM vault_secrets WHERE name = ?').run(name);
    auditVault(this.ctx, actor, 'secret.delete', 'success', name);
  }
}
