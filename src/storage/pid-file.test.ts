import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive, liveServer } from './pid-file.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'helix-pid-test-'));
  file = join(dir, 'helix.pid');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid no process has: one that just exited. */
const deadPid = () => {
  for (let pid = 4_000_000; pid > 1; pid -= 9973) if (!isAlive(pid)) return pid;
  throw new Error('no free pid found');
};

describe('liveServer', () => {
  it('returns the record of a live server and keeps its file', () => {
    const record = { pid: process.pid, host: '127.0.0.1', port: 1, url: 'http://127.0.0.1:1', home: dir };
    writeFileSync(file, JSON.stringify(record));
    expect(liveServer(file, { removeStale: true })).toEqual(record);
    expect(existsSync(file)).toBe(true);
  });

  it('treats a missing, dead, unreadable or nonsensical pid file as no server', () => {
    expect(liveServer(file)).toBeUndefined();
    for (const text of [JSON.stringify({ pid: deadPid() }), '{not json', '{"pid":0}', '{"pid":-1}', 'null']) {
      writeFileSync(file, text);
      expect(liveServer(file)).toBeUndefined();
      expect(existsSync(file)).toBe(true);
      expect(liveServer(file, { removeStale: true })).toBeUndefined();
      expect(existsSync(file)).toBe(false);
    }
  });
});
