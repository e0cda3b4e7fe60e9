import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../testing/make-context.js';
import { getNode } from '../nodes/service.js';
import { knowledgeStores } from '../stores.js';
import { importRecords } from '../transfer/import.js';
import { noteId } from './build-records.js';
import { vaultRecords } from './vault-records.js';

function writeVault(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'helix-vault-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const VAULT = {
  'Home.md':
    '---\naliases: [Start]\n---\n# Home\nSee [[Ideas]], [[Ideas#Later|later]], [[#Home]] and [[Ghost]].\n![[pic.png]] ![[Lost.jpg]] [[Start]]',
  'Ideas.md': 'Back to [home](Home.md) and ![[Sub/Deep]] #idea',
  'Sub/Deep.md': 'Deep [[start]]',
  'Sub/pic.png': 'png',
  '.obsidian/app.json': '{}',
  '.obsidian/Hidden.md': 'not a note',
  '.trash/Old.md': 'gone',
};

describe('vaultRecords', () => {
  let dir: string;
  let app: TestApp;
  beforeEach(() => {
    dir = writeVault(VAULT);
    app = makeTestApp();
  });
  afterEach(() => {
    app.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const collect = async (namespace?: string) => {
    const vault = await vaultRecords(dir, namespace ? { namespace } : {});
    const lines: string[] = [];
    for await (const l of vault.lines) lines.push(l);
    return { vault, lines, records: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  it('streams a header, one node per note, then the edges, ignoring dot folders', async () => {
    const { vault, records } = await collect();
    expect(vault.notes).toBe(3);
    expect(records.map((r) => r.type)).toEqual([
      'header',
      'node',
      'node',
      'node',
      ...Array(4).fill('relationship'),
    ]);
    expect(records.filter((r) => r.type === 'node').map((r) => r.title)).toEqual(['Home', 'Ideas', 'Deep']);
    expect(vault.describeLine(2)).toBe('Home.md');
    expect(vault.describeLine(5)).toMatch(/ -> /);
  });

  it('reports what it found and what it could not resolve', async () => {
    const { vault } = await collect();
    const report = vault.report();
    expect(report).toMatchObject({
      notes: 3,
      attachments: 1,
      attachments_used: 1,
      // [[Start]] in Home is Home's own alias: a link into the same note, like [[#Home]]
      links: { found: 10, resolved: 8, missing: 2, to_notes: 5, to_attachments: 1, same_note: 2 },
      embeds: { found: 3, notes: 1, attachments: 1, missing: 1 },
      relationships: 4,
      tags: 1,
      missing_links_count: 2,
      missing_links: [
        { from: 'Home.md', target: 'Ghost' },
        { from: 'Home.md', target: 'Lost.jpg', embed: true },
      ],
    });
  });

  it('records attachment embeds on the note, resolved or not', async () => {
    const { records } = await collect();
    const home = records.find((r) => r.title === 'Home') as { metadata: { obsidian: { embeds: unknown[] } } };
    expect(home.metadata.obsidian.embeds).toEqual([
      { target: 'pic.png', path: 'Sub/pic.png' },
      { target: 'Lost.jpg', path: null },
    ]);
  });

  it('imports into Helix, and a second import changes nothing', async () => {
    const first = await collect('notes');
    const summary = await importRecords(app.ctx, first.lines);
    expect(summary).toMatchObject({ imported: 3, failed: 0, relationships: { imported: 4, failed: 0 } });
    const home = getNode(app.ctx, noteId('notes', 'Home.md'));
    expect(home).toMatchObject({ namespace: 'notes', title: 'Home', source: 'obsidian://Home.md' });
    const { relationships } = knowledgeStores(app.ctx.db);
    const edge = relationships.find(noteId('notes', 'Home.md'), noteId('notes', 'Ideas.md'), 'references');
    expect(JSON.parse(edge!.metadata)).toMatchObject({ links: [{}, { heading: 'Later', alias: 'later' }] });
    expect(
      relationships.find(noteId('notes', 'Ideas.md'), noteId('notes', 'Sub/Deep.md'), 'references'),
    ).toBeTruthy();

    const again = await importRecords(app.ctx, (await collect('notes')).lines);
    expect(again).toMatchObject({
      imported: 0,
      updated: 0,
      skipped: 3,
      failed: 0,
      relationships: { imported: 0, skipped: 4, failed: 0 },
    });
  });

  it('updates a changed note in place', async () => {
    await importRecords(app.ctx, (await collect()).lines);
    writeFileSync(join(dir, 'Ideas.md'), 'Changed #idea');
    const again = await importRecords(app.ctx, (await collect()).lines);
    expect(again).toMatchObject({ imported: 0, updated: 1, skipped: 2 });
    expect(getNode(app.ctx, noteId('default', 'Ideas.md'))).toMatchObject({
      content: 'Changed #idea',
      version: 2,
    });
  });
});
