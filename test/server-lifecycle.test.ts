import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hx } from './support/cli.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

const home = tempDir();
const pidFile = join(home, 'helix.pid');
let startedPid: number | undefined;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  // whatever happened above, leave no server behind
  if (!startedPid && existsSync(pidFile)) startedPid = JSON.parse(readFileSync(pidFile, 'utf8')).pid;
  if (startedPid && alive(startedPid)) {
    await hx(['server', 'stop'], { home });
    if (alive(startedPid)) process.kill(startedPid, 'SIGKILL');
  }
  removeDir(home);
});

describe('hx server start / status / stop (background)', { timeout: 120_000 }, () => {
  it('start --port 0 runs the server in the background and prints its URL', async () => {
    const res = await hx(['server', 'start', '--port', '0'], { home });
    expect(res.code, res.stderr).toBe(0);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(res.stdout)?.[0];
    expect(url, res.stdout).toBeDefined();
    const pid = JSON.parse(readFileSync(pidFile, 'utf8'));
    startedPid = pid.pid;
    expect(pid.url).toBe(url);
    expect(alive(pid.pid)).toBe(true);
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'ok' } });
  });

  it('status says running and healthy', async () => {
    const human = await hx(['server', 'status'], { home });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/running/);
    expect(human.stdout).toMatch(/\bok\b/);
    const json = (await hx(['--json', 'server', 'status'], { home })).json();
    expect(json).toMatchObject({ running: true, pid: startedPid, health: { status: 'ok' } });
  });

  it('a second start refuses: already running', async () => {
    const res = await hx(['server', 'start', '--port', '0'], { home });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/already running/);
    expect(res.stderr).toContain(String(startedPid));
    expect(JSON.parse(readFileSync(pidFile, 'utf8')).pid).toBe(startedPid);
  });

  it('stop stops it; status then says not running with exit code 3', async () => {
    const res = await hx(['server', 'stop'], { home });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/stopped/);
    await waitFor(() => !alive(startedPid!), 'the server process to exit');
    expect(existsSync(pidFile)).toBe(false);
    const status = await hx(['server', 'status'], { home });
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/not running/);
    const json = await hx(['--json', 'server', 'status'], { home });
    expect(json.code).toBe(3);
    expect(json.json()).toMatchObject({ running: false });
    expect((await hx(['server', 'stop'], { home })).code).toBe(0);
  });
});
