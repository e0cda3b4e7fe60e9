import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { HelixError, invalid } from '../core/errors.js';
import { decryptEnvelope, type EnvelopeHeader, type EnvelopeKeySource, encryptEnvelope } from './envelope.js';
import type { Keychain } from './keychain.js';

/** One envelope holds the whole file in memory: keep it for files well under the machine's RAM. */
export const MAX_FILE_BYTES = 1 << 30;

async function readInput(path: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw invalid('in', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (data.length > MAX_FILE_BYTES) throw invalid('in', `larger than ${MAX_FILE_BYTES} bytes`);
  return data;
}

/** Writes next to the target, then renames: a crash never leaves half a file under the final name. */
export async function writeAtomic(path: string, data: Uint8Array, force: boolean): Promise<void> {
  if (!force && existsSync(path))
    throw new HelixError('conflict', `${path} exists (use --force to replace it)`, { field: 'out' });
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export type KeyChoice = { passphrase: string } | { vault: Keychain };

export async function encryptFile(input: string, output: string, key: KeyChoice, force = false) {
  const data = await readInput(input);
  let source: EnvelopeKeySource;
  if ('passphrase' in key) source = { passphrase: key.passphrase };
  else {
    const { epoch, key: epochKey } = key.vault.activeEpoch();
    source = { epoch, epochKey };
  }
  const env = await encryptEnvelope(data, source);
  await writeAtomic(output, env, force);
  return { in: input, out: output, bytes: data.length, envelope_bytes: env.length };
}

/** `getKey` is told what the header asks for, so the CLI only asks for a passphrase when needed. */
export async function decryptFile(
  input: string,
  output: string,
  getKey: (h: EnvelopeHeader) => Promise<KeyChoice>,
  force = false,
) {
  const env = await readInput(input);
  const data = await decryptEnvelope(env, async (h) => {
    const key = await getKey(h);
    if ('passphrase' in key) return { passphrase: key.passphrase };
    if (h.source !== 'vault') throw invalid('in', 'sealed with a passphrase');
    return { epoch: h.epoch, epochKey: key.vault.epochKey(h.epoch) };
  });
  await writeAtomic(output, data, force);
  return { in: input, out: output, bytes: data.length };
}
