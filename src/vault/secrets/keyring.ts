import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** The OS keyring, as a port: tests inject an in-memory one, production uses @napi-rs/keyring. */
export interface KeyringPort {
  get(account: string): string | null;
  set(account: string, value: string): void;
  delete(account: string): boolean;
}

export type KeyringProbe = { ok: true; keyring: KeyringPort } | { ok: false; reason: string };

/**
 * Opens the platform keyring for this data home (one service name per home, so two homes never
 * share entries) and probes it once. A headless Linux box has no Secret Service (a D-Bus error, or
 * AccessDenied): that is a normal outcome here, reported as a reason, never thrown.
 */
export function probeOsKeyring(home: string): KeyringProbe {
  const service = `helix:${createHash('sha256').update(home).digest('hex').slice(0, 12)}`;
  try {
    const require = createRequire(import.meta.url);
    const { Entry } = require('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
    // Linux: only the Secret Service persists. The kernel keyring (keyutils, the library's
    // fallback) forgets everything at logout or reboot, which would silently lose secrets.
    const options =
      process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
    const entry = (account: string) => new Entry(service, account, options);
    // a read can succeed where a write is refused: probe with a full write, read, delete
    const probe = entry('__helix_probe__');
    probe.setPassword('probe');
    if (probe.getPassword() !== 'probe') throw new Error('keyring did not return what was written');
    probe.deletePassword();
    return {
      ok: true,
      keyring: {
        get: (account) => entry(account).getPassword(),
        set: (account, value) => entry(account).setPassword(value),
        delete: (account) => entry(account).deletePassword(),
      },
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: message.replace(/\s+/g, ' ').slice(0, 200) };
  }
}
