import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanVault } from './scan-vault.js';

describe('scanVault', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helix-scan-'));
    for (const folder of ['b', 'a/deep', '.obsidian', '.trash', 'a/.hidden'])
      mkdirSync(join(dir, folder), { recursive: true });
    for (const file of [
      'z.md',
      'b/B.MD',
      'a/deep/x.md',
      'a/pic.png',
      '.obsidian/w.md',
      '.trash/t.md',
      'a/.hidden/h.md',
      '.DS_Store',
    ])
      writeFileSync(join(dir, file), 'x');
    symlinkSync(join(dir, 'a'), join(dir, 'b', 'loop'));
    symlinkSync(join(dir, 'z.md'), join(dir, 'b', 'linked.md'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists notes and attachments, sorted, skipping dot folders and symlinked folders', async () => {
    expect(await scanVault(dir)).toEqual({
      notes: ['a/deep/x.md', 'b/B.MD', 'b/linked.md', 'z.md'],
      attachments: ['a/pic.png'],
    });
  });
});
