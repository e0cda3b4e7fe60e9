import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, hx, hxBin } from './support/cli.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

/** `hx setup` in a real pseudo-terminal (util-linux `script`), answered key by key. */
describe('hx setup wizard in a pseudo-terminal', { timeout: 120_000 }, () => {
  it('asks for home, token, provider keys, default provider, embedder and budget, and writes them', async () => {
    const root = tempDir();
    dirs.push(root);
    const home = join(root, 'home');
    // script's pty starts 0×0 when its own stdin is a pipe: give it a real size, as a terminal has
    const cmd = `stty cols 120 rows 40; exec '${process.execPath}' '${hxBin}' --home '${home}' setup`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...cleanEnv({ HELIX_EMBEDDING_PROVIDER: 'local_fastembed' }), TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      raw += d;
    });
    const screen = () => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    let mark = 0;
    // each prompt is looked for only in what was printed after the previous answer
    const answer = async (question: RegExp, keys: string) => {
      await waitFor(() => question.test(screen().slice(mark)), `prompt ${question}`, 30_000);
      mark = screen().length;
      child.stdin!.write(keys);
    };
    try {
      await answer(/Data home/, '\r');
      await answer(/Require a token/, '\r');
      await answer(/LLM providers to configure/, ' \r'); // the first one (Anthropic)
      await answer(/Key for Anthropic/, 'sk-ant-wizard\r');
      await answer(/Default provider/, '\x1b[B\r'); // down: anthropic
      await answer(/Embedder/, '\x1b[B\x1b[B\x1b[B\r'); // hash
      await answer(/Daily LLM budget/, '25\r');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const out = screen();
    expect(out).toMatch(/mcpServers/);
    expect(out).toMatch(/hx server start/);
    expect(out).not.toContain('sk-ant-wizard'); // the key was masked
    const config = parse(readFileSync(join(home, 'config.toml'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(config.auth).toMatchObject({ enabled: true, token: expect.stringMatching(/^[\w-]{32}$/) });
    expect(out).toContain(`HELIX_AUTH_TOKEN=${config.auth!.token}`);
    expect(config.worker).toMatchObject({ default_provider: 'anthropic', budget_limit: 25 });
    expect(config.embedding).toMatchObject({ provider: 'hash' });
    const envFile = join(home, '.env');
    expect(readFileSync(envFile, 'utf8')).toBe('ANTHROPIC_API_KEY=sk-ant-wizard\n');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    // the configuration it wrote is valid and the key reaches the AI layer's catalogue
    const check = await hx(['--home', home, 'config', 'validate']);
    expect(check.code, check.stderr).toBe(0);
  });

  it('--quick stays non-interactive', async () => {
    const home = join(tempDir(), 'q');
    dirs.push(home);
    const res = await hx(['--json', 'setup', '--quick'], { home });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ home, created: true });
  });
});
