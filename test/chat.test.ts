import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, hx, hxBin } from './support/cli.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

/** `hx chat` in a real pseudo-terminal (util-linux `script`), typed at like a user would. */
interface Pty {
  child: ChildProcess;
  type(s: string): void;
  /** everything printed so far, ANSI escapes and carriage returns removed */
  screen(): string;
  /** waits until the screen (after `from` characters) matches */
  expect(re: RegExp, from?: number): Promise<string>;
  exited: Promise<number | null>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function spawnPty(args: string[], env: Record<string, string>): Pty {
  const cmd = [process.execPath, hxBin, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    env: { ...cleanEnv(env), TERM: 'xterm', COLUMNS: '200', LINES: '50' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
  });
  const screen = () => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return {
    child,
    type: (s) => child.stdin!.write(s),
    screen,
    expect: (re, from = 0) =>
      waitFor(
        () => (re.test(screen().slice(from)) ? screen() : undefined),
        `screen to match ${re}:\n${screen()}`,
        30_000,
      ),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

let fake: FakeLlm;
let core: TestServer;
let home: string;
let noteId: string;
const providerEnv = () => ({
  OPENAI_API_KEY: 'sk-fake',
  HELIX_WORKER_BASE_URLS: `openai=${fake.openaiBase}`,
});

beforeAll(async () => {
  fake = await startFakeLlm();
  core = await startTestServer();
  home = tempDir();
  const res = await core.api.post('/api/v1/nodes', {
    title: 'Kubernetes rollout plan',
    content: 'We roll out the payments service with a blue-green deployment on Kubernetes every Tuesday.',
  });
  noteId = res.body.id;
});
afterAll(async () => {
  await core.close();
  await fake.close();
  removeDir(home);
});

describe('hx chat in a pseudo-terminal', { timeout: 120_000 }, () => {
  it('streams a cited answer, stops a reply on Ctrl-C without leaving, saves the conversation', async () => {
    fake.reset();
    const pty = spawnPty(['--home', home, '--server', core.url, 'chat'], providerEnv());
    try {
      await pty.expect(/you> /);
      pty.type('how do we roll out payments blue-green?\r');
      const answer = await pty.expect(/Sources:\n\s+\[1\] Kubernetes rollout plan \(([0-9a-f-]+)\)/);
      expect(answer).toContain(`[1] Kubernetes rollout plan (${noteId})`);
      expect(answer).toMatch(/helix \(openai\/gpt-4o-mini\)> Echo: how do we roll out payments blue-green\?/);
      // the retrieved note went to the model as a numbered source
      const system = fake.calls[0]!.messages.find((m) => m.role === 'system');
      expect(String(system?.content)).toContain(`[1] Kubernetes rollout plan (${noteId})`);

      // a slow reply: Ctrl-C stops it, the REPL stays
      fake.set('gpt-4o-mini', {
        text: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '),
        chunkDelayMs: 100,
      });
      let mark = pty.screen().length;
      pty.type('tell me a long story\r');
      await pty.expect(/word2 /, mark);
      pty.type('\x03');
      await pty.expect(/\[stopped\][\s\S]*you> /, mark);
      expect(pty.screen().slice(mark)).not.toContain('word59');

      mark = pty.screen().length;
      pty.type('/help\r');
      await pty.expect(/\/search <query>/, mark);

      mark = pty.screen().length;
      pty.type('/save\r');
      const saved = await pty.expect(/saved as conversation ([0-9a-f-]{36})/, mark);
      const id = /saved as conversation ([0-9a-f-]{36})/.exec(saved.slice(mark))![1]!;
      const node = await core.api.get(`/api/v1/nodes/${id}`);
      expect(node.body).toMatchObject({ kind: 'conversation' });
      expect(node.body.content).toContain('how do we roll out payments blue-green?');
      expect(node.body.content).toContain(`[1] Kubernetes rollout plan (${noteId})`);

      pty.type('/exit\r');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.child.kill('SIGKILL');
    }
  });

  it('takes a provider key kept with hx secret in the vault, asking for the passphrase once', async () => {
    fake.reset();
    const own = tempDir();
    try {
      const pass = { HELIX_KEYCHAIN_PASSPHRASE: 'chat vault passphrase' };
      expect((await hx(['keychain', 'init'], { home: own, env: pass })).code).toBe(0);
      const stored = await hx(['--json', 'secret', 'set', 'OPENAI_API_KEY', '--value', 'sk-fake'], {
        home: own,
        env: pass,
      });
      expect(stored.json()).toMatchObject({ key: 'OPENAI_API_KEY', backend: 'vault' });
      const pty = spawnPty(['--home', own, '--server', core.url, 'chat'], {
        HELIX_WORKER_BASE_URLS: `openai=${fake.openaiBase}`,
      });
      try {
        await pty.expect(/vault passphrase: /);
        pty.type('chat vault passphrase\r');
        await pty.expect(/you> /);
        pty.type('hello vault?\r');
        await pty.expect(/Echo: hello vault\?/);
        expect(fake.calls.at(-1)?.authorization).toBe('Bearer sk-fake');
        pty.type('\x04');
        expect(await pty.exited).toBe(0);
      } finally {
        pty.child.kill('SIGKILL');
      }
    } finally {
      removeDir(own);
    }
  });

  it('with the core down it answers without retrieval and says so', async () => {
    fake.reset();
    const pty = spawnPty(['--home', home, '--server', 'http://127.0.0.1:9', 'chat'], providerEnv());
    try {
      await pty.expect(/unreachable[\s\S]*you> /);
      pty.type('hello?\r');
      const screen = await pty.expect(/Echo: hello\?/);
      expect(screen).toMatch(/answering without retrieval/);
      pty.type('\x04');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.child.kill('SIGKILL');
    }
  });

  it('without a provider it says how to configure one and /search still works', async () => {
    const pty = spawnPty(['--home', home, '--server', core.url, 'chat'], {});
    try {
      await pty.expect(/No LLM provider is configured[\s\S]*OPENAI_API_KEY[\s\S]*you> /);
      const mark = pty.screen().length;
      pty.type('/search blue-green\r');
      // (the conversation saved by the first test may rank first: any position will do)
      await pty.expect(new RegExp(`\\[\\d\\] Kubernetes rollout plan \\(${noteId}\\)`), mark);
      pty.type('/exit\r');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.child.kill('SIGKILL');
    }
  });
});
