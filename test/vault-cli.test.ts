import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, hxBin, spawnServer } from './support/cli.js';
import { removeDir, tempDir } from './support/temp.js';

/** The vault from the real CLI (`npm run build` first): init, secrets, files, encrypted backups. */
const PASS = 'cli vault passphrase 42';
const dirs: string[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach(removeDir));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs hx with optional stdin (never a TTY here, like a script). */
function hx(
  home: string,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [hxBin, '--home', home, ...args], {
      env: cleanEnv(opts.env),
      cwd: tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(opts.stdin ?? '');
  });
}
const withPass = { HELIX_KEYCHAIN_PASSPHRASE: PASS };

function allFiles(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(d, e.name)) : [join(d, e.name)],
  );
}

describe('hx keychain / secret / encrypt / backup --encrypt', () => {
  const home = dir();
  let shares: string[] = [];

  it('init prints the shares once as a JSON array; status shows no share', async () => {
    const r = await hx(
      home,
      ['--json', 'keychain', 'init', '--shares', '3', '--threshold', '2', '--passphrase-stdin'],
      {
        stdin: `${PASS}\n`,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    shares = JSON.parse(r.stdout);
    expect(shares).toHaveLength(3);
    const st = await hx(home, ['--json', 'keychain', 'status']);
    expect(JSON.parse(st.stdout)).toMatchObject({ state: 'sealed', shamir: { enabled: true, threshold: 2 } });
    expect(st.stdout).not.toContain(shares[0]!.slice(14, 40));
    const again = await hx(home, ['keychain', 'init', '--passphrase-stdin'], { stdin: PASS });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already initialized');
  });

  it('unseal checks the passphrase or shares; too few shares leave it sealed', async () => {
    const bad = await hx(home, ['keychain', 'unseal', '--passphrase-stdin'], { stdin: 'not the passphrase' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('wrong passphrase');
    expect(bad.stderr).not.toContain('not the passphrase');
    const one = await hx(home, ['--json', 'keychain', 'unseal', '--shares-stdin'], {
      stdin: `${shares[2]}\n`,
    });
    expect(JSON.parse(one.stdout)).toMatchObject({ state: 'sealed', shamir: { submitted: 1 } });
    const two = await hx(home, ['keychain', 'unseal', '--shares-stdin'], {
      stdin: `${shares[2]}\n${shares[0]}\n`,
    });
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toContain('unseal OK');
  });

  it('secret set/get/list/delete; the keyring fallback is stated once; --value warns', async () => {
    const set = await hx(home, ['secret', 'set', 'openai'], { stdin: 'sk-cli-secret-777\n', env: withPass });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('encrypted vault');
    expect(set.stderr.match(/OS keyring unavailable/g)).toHaveLength(1);
    const get = await hx(home, ['secret', 'get', 'openai'], { env: withPass });
    expect(get.stdout).toBe('sk-cli-secret-777\n');
    const file = join(dir(), 'pass.txt');
    writeFileSync(file, `${PASS}\n`);
    expect((await hx(home, ['secret', 'get', 'openai', '--passphrase-file', file])).stdout).toBe(
      'sk-cli-secret-777\n',
    );
    const sealed = await hx(home, ['secret', 'get', 'openai']);
    expect(sealed.code).toBe(1);
    expect(sealed.stderr).toContain('HELIX_KEYCHAIN_PASSPHRASE');
    const warn = await hx(home, ['secret', 'set', 'other', '--value', 'argv-value-1'], { env: withPass });
    expect(warn.stderr).toContain('warning: --value');
    const list = await hx(home, ['--json', 'secret', 'list'], { env: { HELIX_SECRET_FROM_ENV: 'env-v' } });
    const items = JSON.parse(list.stdout).items as { key: string; backend: string }[];
    expect(items.map((i) => `${i.key}:${i.backend}`)).toEqual([
      'openai:vault',
      'other:vault',
      'from_env:env',
    ]);
    expect(list.stdout).not.toContain('sk-cli');
    expect(
      (await hx(home, ['secret', 'get', 'from_env'], { env: { HELIX_SECRET_FROM_ENV: 'env-v' } })).stdout,
    ).toBe('env-v\n');
    expect((await hx(home, ['secret', 'delete', 'other'])).code).toBe(0);
    expect((await hx(home, ['secret', 'get', 'other'], { env: withPass })).stderr).toContain('not found');
  });

  it('encrypt/decrypt files with the vault key and with a passphrase; tampering is refused', async () => {
    const d = dir();
    const plain = join(d, 'notes.txt');
    writeFileSync(plain, 'top secret plans\n'.repeat(100));
    const enc = await hx(home, ['encrypt', '--in', plain, '--out', join(d, 'notes.hxe')], { env: withPass });
    expect(enc.code, enc.stderr).toBe(0);
    const env = readFileSync(join(d, 'notes.hxe'));
    expect(env.subarray(0, 4).toString()).toBe('HXE1');
    expect(env.toString('latin1')).not.toContain('top secret');
    // a rotation later, the old envelope still opens (its epoch is in its grace period)
    expect((await hx(home, ['keychain', 'rotate'], { env: withPass })).code).toBe(0);
    const dec = await hx(home, ['decrypt', '--in', join(d, 'notes.hxe'), '--out', join(d, 'back.txt')], {
      env: withPass,
    });
    expect(dec.code, dec.stderr).toBe(0);
    expect(readFileSync(join(d, 'back.txt'), 'utf8')).toBe(readFileSync(plain, 'utf8'));
    const exists = await hx(home, ['decrypt', '--in', join(d, 'notes.hxe'), '--out', join(d, 'back.txt')], {
      env: withPass,
    });
    expect(exists.stderr).toContain('--force');

    const p = await hx(
      home,
      ['encrypt', '--with-passphrase', '--passphrase-stdin', '--in', plain, '--out', join(d, 'p.hxe')],
      {
        stdin: 'file pass 123',
      },
    );
    expect(p.code, p.stderr).toBe(0);
    const wrong = await hx(
      home,
      ['decrypt', '--passphrase-stdin', '--in', join(d, 'p.hxe'), '--out', join(d, 'p.txt')],
      {
        stdin: 'file pass 124',
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/authentication failed/);
    expect(existsSync(join(d, 'p.txt'))).toBe(false);
    const tampered = Buffer.from(env);
    tampered[tampered.length - 20]! ^= 1;
    writeFileSync(join(d, 't.hxe'), tampered);
    const t = await hx(home, ['decrypt', '--in', join(d, 't.hxe'), '--out', join(d, 't.txt')], {
      env: withPass,
    });
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/^error: envelope: authentication failed/);
  });

  it('backup --encrypt leaves no plaintext; restore needs the passphrase or the shares', async () => {
    const stored = await hx(home, ['store', 'the launch code is pineapple-42', '--title', 'codes']);
    expect(stored.code, stored.stderr).toBe(0);
    const out = join(dir(), 'b');
    const b = await hx(home, ['backup', '--encrypt', '--out', out], { env: withPass });
    expect(b.code, b.stderr).toBe(0);
    const files = allFiles(out);
    expect(files.filter((f) => !f.endsWith('.hxe')).map((f) => f.slice(out.length + 1))).toEqual([
      'encryption.json',
    ]);
    for (const f of files) expect(readFileSync(f).toString('latin1')).not.toContain('pineapple');

    const target = dir();
    const wrong = await hx(target, ['restore', out, '--passphrase-stdin'], { stdin: 'nope nope nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('wrong passphrase');
    const ok = await hx(target, ['--json', 'restore', out, '--passphrase-stdin'], { stdin: PASS });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ node_count: 1, encrypted: true });
    expect((await hx(target, ['search', 'pineapple'])).stdout).toContain('codes');

    const viaShares = dir();
    const sharesFile = join(dir(), 'shares.txt');
    writeFileSync(sharesFile, `${shares[1]}\n${shares[2]}\n`);
    const s = await hx(viaShares, ['restore', out, '--shares-file', sharesFile]);
    expect(s.code, s.stderr).toBe(0);
    writeFileSync(sharesFile, `${shares[1]}\n`);
    const few = await hx(dir(), ['restore', out, '--shares-file', sharesFile]);
    expect(few.code).toBe(1);
    expect(few.stderr).toContain('needed');
  });

  it('backup --encrypt without a vault uses a backup passphrase', async () => {
    const h = dir();
    await hx(h, ['store', 'plain home note banana-7']);
    const out = join(dir(), 'b2');
    const b = await hx(h, ['backup', '--encrypt', '--passphrase-stdin', '--out', out], {
      stdin: 'backup pass 99',
    });
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'encryption.json'), 'utf8')).key.type).toBe('passphrase');
    const r = await hx(dir(), ['--json', 'restore', out, '--passphrase-stdin'], { stdin: 'backup pass 99' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).node_count).toBe(1);
  });

  it('--server: unseal and use secrets of a running server', async () => {
    const h = dir();
    const server = await spawnServer(h);
    try {
      const url = ['--server', server.url];
      expect((await hx(h, [...url, 'keychain', 'init', '--passphrase-stdin'], { stdin: PASS })).code).toBe(0);
      expect((await hx(h, [...url, 'keychain', 'seal'])).code).toBe(0);
      const sealed = await hx(h, [...url, 'secret', 'set', 'k1', '--value', 'remote-val-1']);
      expect(sealed.code).toBe(1);
      expect(sealed.stderr).toContain('sealed');
      const un = await hx(h, [...url, '--json', 'keychain', 'unseal', '--passphrase-stdin'], { stdin: PASS });
      expect(JSON.parse(un.stdout).state).toBe('unsealed');
      expect((await hx(h, [...url, 'secret', 'set', 'k1', '--value', 'remote-val-1'])).code).toBe(0);
      expect((await hx(h, [...url, 'secret', 'get', 'k1'])).stdout).toBe('remote-val-1\n');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
