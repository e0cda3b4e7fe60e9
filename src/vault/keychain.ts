import { randomBytes } from 'node:crypto';
import type { Context } from '../core/context.js';
import { HelixError, invalid } from '../core/errors.js';
import { KEY_BYTES, open, seal, wipe } from './aead.js';
import { type Purpose, epochsInUse, purposeId, purposeKey, rewrapAll } from './data-keys.js';
import { deriveKek, kdfParamsFrom, newSalt } from './kdf.js';
import {
  checkPassphrase,
  retryAfterSecs,
  describeVault,
  sealedErrorFor,
  unwrapWithPassphrase,
  VEK_AAD,
  VERIFY_AAD,
  VERIFY_PLAINTEXT,
  verifiesVek,
} from './keychain-unlock.js';
import { type VaultActor, auditVault } from './keychain-audit.js';
import * as store from './keychain-store.js';
import { ShareCollector, newSetId, parseShare, splitSecret } from './shamir.js';

export type VaultState = 'uninitialized' | 'sealed' | 'unsealed';

const epochAad = (epoch: number) => `helix/vault/epoch/${epoch}`;
const FORMAT = 1;
const DAY_MS = 86_400_000;

export interface RotateHooks {
  /** called after each re-wrapped row, inside the transaction (crash tests kill the process here) */
  onRow?: () => void;
}

/**
 * The vault's state machine: uninitialized → sealed ⇄ unsealed. The VEK lives only in this
 * object's memory while unsealed and is zeroed on seal. Every unwrap of a key is verified (GCM
 * tags and the verification blob), so a wrong passphrase or a bad Shamir reconstruction is
 * detected before any data is touched.
 */
export class Keychain {
  private vek: Buffer | null = null;
  private readonly epochKeys = new Map<number, Buffer>();
  private readonly purposeKeys = new Map<string, Buffer>();
  private readonly shares = new ShareCollector();

  constructor(private readonly ctx: Context) {}

  private get db() {
    return this.ctx.db;
  }

  private now(): string {
    return this.ctx.clock.now().toISOString();
  }

  /** Cheap (no query): whether this process holds the vault key right now. */
  get unsealed(): boolean {
    return this.vek !== null;
  }

  state(): VaultState {
    if (!store.readMeta(this.db)) return 'uninitialized';
    return this.vek ? 'unsealed' : 'sealed';
  }

  status() {
    const meta = store.readMeta(this.db);
    return describeVault(
      this.db,
      meta,
      this.vek !== null,
      this.shares.count,
      meta ? this.retryAfter(meta) : 0,
    );
  }

  /** The error every secret-needing path throws while the vault is not unsealed (503 vault_sealed; 409 before init). */
  sealedError(): HelixError {
    return sealedErrorFor(this.state());
  }

  private requireVek(): Buffer {
    if (!this.vek) throw this.sealedError();
    return this.vek;
  }

  async init(
    input: { passphrase: string; shares?: number | undefined; threshold?: number | undefined },
    actor: VaultActor,
  ): Promise<{ shares: string[] | null; set_id: string | null }> {
    if (store.readMeta(this.db)) throw new HelixError('conflict', 'the vault is already initialized');
    checkPassphrase(input.passphrase);
    if ((input.shares === undefined) !== (input.threshold === undefined))
      throw invalid('threshold', 'give both shares and threshold, or neither');
    const params = kdfParamsFrom(this.ctx.config.vault);
    const salt = newSalt();
    const kek = await deriveKek(input.passphrase, salt, params);
    const vek = randomBytes(KEY_BYTES);
    const epochKey = randomBytes(KEY_BYTES);
    let shares: string[] | null = null;
    const setId = input.shares !== undefined ? newSetId() : null;
    try {
      if (input.shares !== undefined) shares = await splitSecret(vek, input.shares, input.threshold!, setId!);
      const at = this.now();
      this.db.transaction(() => {
        // another process may have won the race since the check above
        if (store.readMeta(this.db)) throw new HelixError('conflict', 'the vault is already initialized');
        store.insertMeta(this.db, {
          format: FORMAT,
          kdf: 'argon2id',
          kdf_memory_kib: params.memory_kib,
          kdf_iterations: params.iterations,
          kdf_parallelism: params.parallelism,
          kdf_salt: salt,
          wrapped_vek: seal(kek, vek, VEK_AAD),
          verifier: seal(vek, VERIFY_PLAINTEXT, VERIFY_AAD),
          shamir_set_id: setId,
          shamir_shares: input.shares ?? null,
          shamir_threshold: input.threshold ?? null,
          created_at: at,
          updated_at: at,
        });
        store.insertEpoch(this.db, 1, seal(vek, epochKey, epochAad(1)), at);
      })();
    } catch (err) {
      wipe(vek, epochKey);
      throw err;
    } finally {
      wipe(kek);
    }
    this.vek = vek;
    this.epochKeys.set(1, epochKey);
    auditVault(this.ctx, actor, 'init', 'success');
    this.ctx.bus.emit('vault.state', { state: 'unsealed' });
    return { shares, set_id: setId };
  }

  private retryAfter(meta: store.VaultMeta): number {
    return retryAfterSecs(meta, this.ctx.config.vault, this.ctx.clock.now().getTime());
  }

  private checkBackoff(meta: store.VaultMeta, actor: VaultActor, action: string): void {
    const retry = this.retryAfter(meta);
    if (retry > 0) {
      auditVault(this.ctx, actor, action, 'denied');
      throw new HelixError('rate_limited', `too many failed unseal attempts: retry in ${retry}s`, {
        retry_after_secs: retry,
      });
    }
  }

  private meta(): store.VaultMeta {
    const meta = store.readMeta(this.db);
    if (!meta) throw this.sealedError();
    return meta;
  }

  /** Checks a passphrase without changing state (used by restore and re-authentication). */
  async checkPassphrase(passphrase: string): Promise<boolean> {
    const vek = await unwrapWithPassphrase(this.meta(), passphrase);
    wipe(vek);
    return vek !== null;
  }

  async unseal(passphrase: string, actor: VaultActor): Promise<void> {
    const meta = this.meta();
    if (this.vek) return;
    this.checkBackoff(meta, actor, 'unseal');
    const vek = await unwrapWithPassphrase(meta, passphrase);
    if (!vek) {
      store.recordFailure(this.db, this.now());
      auditVault(this.ctx, actor, 'unseal', 'denied');
      throw new HelixError('forbidden', 'unseal failed: wrong passphrase', { field: 'passphrase' });
    }
    this.adopt(vek);
    auditVault(this.ctx, actor, 'unseal', 'success');
  }

  private adopt(vek: Buffer): void {
    this.vek = vek;
    this.shares.clear();
    store.clearFailures(this.db);
    this.retireExpired();
    this.ctx.bus.emit('vault.state', { state: 'unsealed' });
  }

  seal(actor?: VaultActor): void {
    const was = this.vek !== null;
    wipe(this.vek);
    this.vek = null;
    for (const k of [...this.epochKeys.values(), ...this.purposeKeys.values()]) wipe(k);
    this.epochKeys.clear();
    this.purposeKeys.clear();
    this.shares.clear();
    if (actor) auditVault(this.ctx, actor, 'seal', 'success');
    if (was) this.ctx.bus.emit('vault.state', { state: 'sealed' });
  }

  shamirStatus() {
    const meta = store.readMeta(this.db);
    return {
      enabled: meta?.shamir_set_id != null,
      set_id: meta?.shamir_set_id ?? null,
      shares: meta?.shamir_shares ?? null,
      threshold: meta?.shamir_threshold ?? null,
      submitted: this.shares.count,
      sealed: this.vek === null,
    };
  }

  /** Adds one share; at the threshold the key is rebuilt, verified and the vault unsealed. */
  async submitShare(text: string, actor: VaultActor) {
    const meta = this.meta();
    if (!meta.shamir_set_id || !meta.shamir_threshold)
      throw new HelixError('conflict', 'Shamir unsealing is not enabled for this vault');
    if (this.vek) return { ...this.shamirStatus(), accepted: false, unsealed: true };
    this.checkBackoff(meta, actor, 'shamir.submit');
    const share = parseShare(text, KEY_BYTES + 1);
    let accepted: boolean;
    try {
      accepted = this.shares.add(share, meta.shamir_set_id);
    } catch (err) {
      auditVault(this.ctx, actor, 'shamir.submit', 'failure');
      throw err;
    }
    if (this.shares.count < meta.shamir_threshold) {
      auditVault(this.ctx, actor, 'shamir.submit', 'success');
      return { ...this.shamirStatus(), accepted, unsealed: false };
    }
    const vek = await this.shares.combine();
    if (!verifiesVek(meta, vek)) {
      wipe(vek);
      this.shares.clear();
      store.recordFailure(this.db, this.now());
      auditVault(this.ctx, actor, 'shamir.unseal', 'denied');
      throw new HelixError(
        'forbidden',
        'the submitted shares do not rebuild the vault key (a wrong or damaged share): submissions cleared, start again',
      );
    }
    this.adopt(vek);
    auditVault(this.ctx, actor, 'shamir.unseal', 'success');
    return { ...this.shamirStatus(), accepted, unsealed: true };
  }

  /** Splits the same VEK into a fresh share set; shares of the previous set stop working. */
  async shamirRotate(input: { shares: number; threshold: number }, actor: VaultActor) {
    const vek = this.requireVek();
    const setId = newSetId();
    const shares = await splitSecret(vek, input.shares, input.threshold, setId);
    store.updateShamir(this.db, {
      set_id: setId,
      shares: input.shares,
      threshold: input.threshold,
      at: this.now(),
    });
    this.shares.clear();
    auditVault(this.ctx, actor, 'shamir.rotate', 'success');
    return { shares, set_id: setId, threshold: input.threshold };
  }

  /** The key of one epoch (cached while unsealed); a retired epoch's key is gone for good. */
  epochKey(epoch: number): Buffer {
    const vek = this.requireVek();
    const cached = this.epochKeys.get(epoch);
    if (cached) return cached;
    const row = store.getEpoch(this.db, epoch);
    if (!row) throw new HelixError('not_found', `key epoch ${epoch} does not exist`, { epoch });
    if (!row.wrapped_key)
      throw new HelixError(
        'decryption_failed',
        `key epoch ${epoch} was retired: data sealed under it is unreadable`,
        {
          epoch,
        },
      );
    const key = open(vek, row.wrapped_key, epochAad(epoch), 'epoch key');
    this.epochKeys.set(epoch, key);
    return key;
  }

  activeEpoch(): { epoch: number; key: Buffer } {
    this.requireVek();
    const row = store.activeEpochRow(this.db);
    if (!row) throw new HelixError('internal_error', 'the vault has no active key epoch');
    return { epoch: row.epoch, key: this.epochKey(row.epoch) };
  }

  /** The wrapping key for one purpose under one epoch (HKDF from the epoch key). */
  wrappingKey(epoch: number, purpose: Purpose): Buffer {
    // HKDF costs more than the two GCM operations it feeds: keep derived keys while unsealed
    const id = `${epoch}/${purposeId(purpose)}`;
    const cached = this.purposeKeys.get(id);
    if (cached && this.vek) return cached;
    const key = purposeKey(this.epochKey(epoch), purpose);
    this.purposeKeys.set(id, key);
    return key;
  }

  /**
   * New epoch: a fresh epoch key, every stored data key re-wrapped under it, the old epoch kept
   * for the grace period. One transaction, so a crash leaves either the old or the new wrapping,
   * never a mix. A new passphrase, when given, is applied in the same transaction.
   */
  async rotate(input: { new_passphrase?: string | undefined }, actor: VaultActor, hooks: RotateHooks = {}) {
    const vek = this.requireVek();
    let rewrap: { salt: Buffer; kek: Buffer; params: ReturnType<typeof kdfParamsFrom> } | null = null;
    if (input.new_passphrase !== undefined) {
      checkPassphrase(input.new_passphrase, 'new_passphrase');
      const params = kdfParamsFrom(this.ctx.config.vault);
      const salt = newSalt();
      rewrap = { salt, params, kek: await deriveKek(input.new_passphrase, salt, params) };
    }
    const newKey = randomBytes(KEY_BYTES);
    const at = this.now();
    const graceUntil = new Date(
      this.ctx.clock.now().getTime() + this.ctx.config.vault.grace_period_days * DAY_MS,
    ).toISOString();
    let result: { epoch: number; rewrapped: number };
    try {
      result = this.db.transaction(() => {
        const epoch = Math.max(0, ...store.listEpochs(this.db).map((e) => e.epoch)) + 1;
        for (const e of store.listEpochs(this.db))
          if (e.state === 'active') store.demoteEpoch(this.db, e.epoch, graceUntil);
        store.insertEpoch(this.db, epoch, seal(vek, newKey, epochAad(epoch)), at);
        const rewrapped = rewrapAll(
          this.db,
          (e, p) => this.wrappingKey(e, p),
          (p) => purposeKey(newKey, p),
          epoch,
          hooks.onRow,
        );
        if (rewrap)
          store.updateWrapping(this.db, {
            params: rewrap.params,
            salt: rewrap.salt,
            wrapped_vek: seal(rewrap.kek, vek, VEK_AAD),
            at,
          });
        return { epoch, rewrapped };
      })();
    } catch (err) {
      wipe(newKey);
      throw err;
    } finally {
      wipe(rewrap?.kek);
    }
    this.epochKeys.set(result.epoch, newKey);
    const retired = this.retireExpired();
    auditVault(this.ctx, actor, 'rotate', 'success');
    return { ...result, retired, passphrase_changed: rewrap !== null };
  }

  /** Retires grace epochs past their date that no stored data key still needs. */
  retireExpired(): number[] {
    const now = this.ctx.clock.now().toISOString();
    const inUse = epochsInUse(this.db);
    const retired: number[] = [];
    for (const e of store.listEpochs(this.db)) {
      if (e.state !== 'grace' || !e.grace_until || e.grace_until > now) continue;
      if (inUse.has(e.epoch)) {
        this.ctx.logger.warn({ epoch: e.epoch }, 'grace epoch still wraps data keys: not retired');
        continue;
      }
      store.retireEpoch(this.db, e.epoch, now);
      wipe(this.epochKeys.get(e.epoch));
      this.epochKeys.delete(e.epoch);
      for (const [id, k] of this.purposeKeys)
        if (id.startsWith(`${e.epoch}/`)) {
          wipe(k);
          this.purposeKeys.delete(id);
        }
      retired.push(e.epoch);
    }
    return retired;
  }

  epochs() {
    return store.listEpochs(this.db).map(({ wrapped_key: _k, ...e }) => e);
  }

  /** The vault's unlock material (no secret): what an encrypted backup carries to be opened again. */
  unlockMaterial() {
    const meta = this.meta();
    return {
      kdf: 'argon2id' as const,
      ...store.paramsOf(meta),
      salt: meta.kdf_salt.toString('base64'),
      wrapped_vek: meta.wrapped_vek.toString('base64'),
      verifier: meta.verifier.toString('base64'),
      shamir_set_id: meta.shamir_set_id,
      shamir_threshold: meta.shamir_threshold,
    };
  }

  /** Seals bytes under the VEK itself (encrypted-backup key wrapping). */
  sealWithVek(plaintext: Uint8Array, aad: string): Buffer {
    return seal(this.requireVek(), plaintext, aad);
  }
}
