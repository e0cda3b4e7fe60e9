import { readFileSync } from 'node:fs';
import { HelixError, invalid } from '../../core/errors.js';

/** Where a CLI process may get a passphrase, safest first; the environment and files are for scripts. */
export interface PassphraseOptions {
  passphraseStdin?: boolean;
  passphraseFile?: string;
}

export const ENV_PASSPHRASE = 'HELIX_KEYCHAIN_PASSPHRASE';

/** Reads all of stdin (for `--passphrase-stdin` and piped secret values); one trailing newline is dropped. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** A line typed on the terminal with echo off: nothing of it reaches the screen or scrollback. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY)
    return Promise.reject(
      new HelixError(
        'validation_error',
        `${question.trim()} needs a terminal: use --passphrase-stdin, --passphrase-file or ${ENV_PASSPHRASE}`,
      ),
    );
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new HelixError('validation_error', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/**
 * The passphrase for this command: --passphrase-stdin, --passphrase-file, HELIX_KEYCHAIN_PASSPHRASE,
 * or a hidden prompt (asked twice when `confirm`, e.g. on init).
 */
export async function getPassphrase(o: PassphraseOptions, label: string, confirm = false): Promise<string> {
  if (o.passphraseStdin) return readStdin();
  if (o.passphraseFile) {
    try {
      return readFileSync(o.passphraseFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw invalid('passphrase-file', `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const fromEnv = process.env[ENV_PASSPHRASE];
  if (fromEnv) return fromEnv;
  const first = await promptHidden(`${label}: `);
  if (confirm) {
    const second = await promptHidden(`${label} (again): `);
    if (second !== first) throw invalid('passphrase', 'the two entries differ');
  }
  return first;
}

export const passphraseHelp = {
  stdin: 'read the passphrase from stdin',
  file: `read the passphrase from a file (less safe; so is ${ENV_PASSPHRASE})`,
};
