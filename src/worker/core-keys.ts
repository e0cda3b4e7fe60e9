import { buildCatalog } from '../ai/catalog.js';
import type { HelixConfig } from '../core/config/schema.js';
import { isHelixError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CoreBridge } from './core-bridge.js';

interface SecretView {
  key: string;
  backend: 'keyring' | 'vault' | 'env';
  version: number | null;
  updated_at: string | null;
}

/** Every name the provider catalog asks its key resolver for, under this configuration. */
export function providerKeyNames(config: HelixConfig): Set<string> {
  const names = new Set<string>();
  buildCatalog(config, (name) => {
    names.add(name);
    return undefined;
  });
  return names;
}

/**
 * Provider keys a stand-alone AI layer (`hx worker start`) takes from the `hx secret` store of the
 * core it points at, through the core's HTTP API (the only way it reaches the core). Beside the
 * core (`hx server start`) the worker reads that store in-process instead.
 *
 * A check reads the secret names and the vault state, which are not secret; values are read
 * (each read is in the core's audit log) only when that picture changed: a key added, rotated or
 * removed, the vault unsealed or sealed. Reading values needs the core's admin role, i.e. the
 * shared token (`[auth] token`) or a core without auth on loopback.
 */
export class CoreKeys {
  private values = new Map<string, string>();
  private seen: string | undefined;
  /** the core refused this worker's token: not asked again until restart */
  private off = false;

  constructor(
    private readonly bridge: CoreBridge,
    private readonly names: ReadonlySet<string>,
    private readonly logger: Logger,
  ) {}

  readonly get = (name: string): string | undefined => this.values.get(name);

  /** Re-reads the core's store; true when the keys this worker holds changed. Never throws. */
  async refresh(): Promise<boolean> {
    if (this.off) return false;
    let vault: string;
    let items: SecretView[];
    try {
      const [status, list] = await Promise.all([
        this.bridge.request<{ vault: string }>('GET', '/api/v1/secrets/status'),
        this.bridge.request<{ items: SecretView[] }>('GET', '/api/v1/secrets'),
      ]);
      vault = status.vault;
      // the core's own environment is not the worker's to borrow
      items = list.items.filter((s) => this.names.has(s.key) && s.backend !== 'env');
    } catch (err) {
      if (this.refused(err)) return false;
      this.logger.debug({ err }, 'provider keys: the core did not answer; keeping the ones held');
      return false;
    }
    const picture = JSON.stringify([vault, items.map((s) => [s.key, s.backend, s.version, s.updated_at])]);
    if (picture === this.seen) return false;
    const next = new Map<string, string>();
    for (const s of items) {
      if (s.backend === 'vault' && vault !== 'unsealed') continue;
      try {
        const r = await this.bridge.request<{ value: string }>(
          'GET',
          `/api/v1/secrets/${encodeURIComponent(s.key)}`,
        );
        next.set(s.key, r.value);
      } catch (err) {
        if (this.refused(err)) return false;
        // any other failure: try again at the next check
        this.logger.debug({ err, key: s.key }, 'provider keys: a key could not be read from the core');
        return false;
      }
    }
    this.seen = picture;
    const changed = next.size !== this.values.size || [...next].some(([k, v]) => this.values.get(k) !== v);
    this.values = next;
    if (changed) this.logger.info({ keys: [...next.keys()] }, 'provider keys from the core changed');
    return changed;
  }

  /**
   * A 401 or 403 will not change while the worker runs (its token comes from its configuration),
   * and each one is a row in the core's audit log: warn once and stop asking.
   */
  private refused(err: unknown): boolean {
    if (!isHelixError(err) || (err.code !== 'unauthenticated' && err.code !== 'forbidden')) return false;
    this.off = true;
    this.logger.warn(
      'provider keys kept with `hx secret` on the core need its admin role: set [auth] token for the AI layer (not asking the core again)',
    );
    return true;
  }
}
