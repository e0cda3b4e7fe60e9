import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { HelixError } from '../src/core/errors.js';
import { validate } from '../src/core/validate.js';
import { encryptionStatus, migrateEncryption } from '../src/knowledge/nodes/encryption-migration.js';
import { CreateNodeBody } from '../src/knowledge/nodes/schema.js';
import { createNode, deleteNode, getNode, updateNode } from '../src/knowledge/nodes/service.js';
import { knowledgeStores } from '../src/knowledge/stores.js';
import { listVersions } from '../src/knowledge/versions/service.js';
import { searchFulltext } from '../src/search/fulltext/service.js';
import { checkDatabase } from '../src/storage/maintenance.js';
import { cliActor } from '../src/vault/keychain-audit.js';
import { runChild } from './support/child.js';
import { removeDir, tempDir } from './support/temp.js';

/** Encryption at rest of node titles, content, metadata and history (issue 5, decision 0009). */
const PASS = 'at-rest test passphrase';
const child = fileURLToPath(new URL('./support/encryption-migrate-child.ts', import.meta.url));
let apps: App[] = [];
let home: string | undefined;
afterEach(() => {
  for (const a of apps) a.close();
  apps = [];
  removeDir(home);
  home = undefined;
});

function open(h: string, encryption: { enabled?: boolean; index_plaintext?: boolean } = {}) {
  const flags: Record<string, unknown> = { 'embedding.provider': 'hash' };
  if (encryption.enabled !== undefined) flags['encryption.enabled'] = encryption.enabled;
  if (encryption.index_plaintext !== undefined)
    flags['encryption.index_plaintext'] = encryption.index_plaintext;
  const app = createApp(loadConfig({ home: h, env: {}, cwd: h, flags }));
  apps.push(app);
  return app;
}

const close = (app: App) => {
  app.close();
  apps = apps.filter((a) => a !== app);
};

const add = (app: App, input: Record<string, unknown>) =>
  createNode(app.ctx, validate(CreateNodeBody, input));

const rawNode = (app: App, id: string) =>
  app.ctx.db.prepare('SELECT title, content, metadata, sealed_key FROM nodes WHERE id = ?').get(id) as {
    title: string | null;
    content: string;
    metadata: string;
    sealed_key: number | null;
  };

const ftsOk = (app: App) => expect(checkDatabase(app.ctx.db).problems).toEqual([]);

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof HelixError) return err.code;
    throw err;
  }
  throw new Error('expected an error');
}

describe('encryption at rest', () => {
  it('seals title, content, metadata and history; reads and searches them back; sealed vault answers vault_sealed', async () => {
    home = tempDir();
    const app = open(home, { enabled: true });
    await app.vault.init({ passphrase: PASS }, cliActor());
    const node = add(app, {
      title: 'Quokka expedition',
      content: 'Packing list: zanzibarite lantern and a brass astrolabe.',
      tags: ['travel'],
      metadata: { secret_place: 'rottnest-island' },
    });
    updateNode(app.ctx, node.id, { content: 'Packing list: zanzibarite lantern, astrolabe, compass.' });
    const stored = rawNode(app, node.id);
    expect(stored.sealed_key).toBe(1);
    expect(stored.title).toBeNull();
    expect(stored.metadata).toBe('{}');
    for (const word of ['Quokka', 'zanzibarite', 'astrolabe', 'rottnest'])
      expect(JSON.stringify(stored)).not.toContain(word);
    const versions = app.ctx.db
      .prepare('SELECT changes, sealed_key FROM node_versions WHERE node_id = ?')
      .all(node.id);
    expect(versions).toHaveLength(2);
    expect(JSON.stringify(versions)).not.toContain('zanzibarite');

    const read = getNode(app.ctx, node.id);
    expect(read.title).toBe('Quokka expedition');
    expect(read.content).toBe('Packing list: zanzibarite lantern, astrolabe, compass.');
    expect(read.metadata).toEqual({ secret_place: 'rottnest-island' });
    const history = listVersions(app.ctx, node.id, 10);
    expect(JSON.stringify(history)).toContain('brass astrolabe');
    // index_plaintext (the default) keeps content searchable, snippets included
    const hits = searchFulltext(app.ctx, { q: 'zanzibarite' }).results;
    expect(hits.map((h) => h.node.id)).toEqual([node.id]);
    expect(hits[0]!.snippet).toContain('<mark>zanzibarite</mark>');
    ftsOk(app);

    app.vault.seal();
    expect(await codeOf(() => getNode(app.ctx, node.id))).toBe('vault_sealed');
    expect(await codeOf(() => add(app, { content: 'written while sealed' }))).toBe('vault_sealed');
    await app.vault.unseal(PASS, cliActor());
    expect(getNode(app.ctx, node.id).title).toBe('Quokka expedition');
    deleteNode(app.ctx, node.id);
    ftsOk(app);
  }, 30_000);

  it('binds every sealed field to its row and column: swapped or flipped values do not open', async () => {
    home = tempDir();
    const app = open(home, { enabled: true });
    await app.vault.init({ passphrase: PASS }, cliActor());
    const a = add(app, { title: 'A', content: 'alpha body' });
    const b = add(app, { title: 'B', content: 'bravo body' });
    const { db } = app.ctx;
    const contentOf = (id: string) => rawNode(app, id).content;
    const [ca, cb] = [contentOf(a.id), contentOf(b.id)];
    // a flipped bit anywhere in the stored value
    const bytes = Buffer.from(ca, 'base64');
    bytes[bytes.length >> 1]! ^= 1;
    db.prepare('UPDATE nodes SET content = ? WHERE id = ?').run(bytes.toString('base64'), a.id);
    expect(await codeOf(() => getNode(app.ctx, a.id))).toBe('internal_error');
    // one row's value put in another row, and a version's sealed changes put in a node row
    db.prepare('UPDATE nodes SET content = ? WHERE id = ?').run(cb, a.id);
    expect(await codeOf(() => getNode(app.ctx, a.id))).toBe('internal_error');
    const version = db.prepare('SELECT id, changes FROM node_versions WHERE node_id = ?').get(b.id) as {
      id: string;
      changes: string;
    };
    db.prepare('UPDATE nodes SET content = ? WHERE id = ?').run(JSON.parse(version.changes), b.id);
    expect(await codeOf(() => getNode(app.ctx, b.id))).toBe('internal_error');
    // and a truncated value
    db.prepare('UPDATE nodes SET content = ? WHERE id = ?').run(cb.slice(0, 30), b.id);
    expect(await codeOf(() => getNode(app.ctx, b.id))).toBe('internal_error');
    db.prepare('UPDATE nodes SET content = ? WHERE id = ?').run(cb, b.id);
    expect(getNode(app.ctx, b.id).title).toBe('B');
    db.prepare('UPDATE nodes SET content = ? WHERE id = ?').run(ca, a.id);
    expect(getNode(app.ctx, a.id).content).toBe('alpha body');
  }, 30_000);

  it('index_plaintext = false: the database holds no content word, search sees titles and tags only', async () => {
    home = tempDir();
    const app = open(home, { enabled: true, index_plaintext: false });
    await app.vault.init({ passphrase: PASS }, cliActor());
    const migrated = await migrateEncryption(app.ctx); // records the index policy (no rows yet)
    expect(migrated.done).toBe(0);
    const node = add(app, {
      title: 'Harbour plans',
      content: 'The xylophagous pontoon needs replacing.',
      tags: ['dock'],
    });
    expect(searchFulltext(app.ctx, { q: 'xylophagous' }).results).toEqual([]);
    expect(searchFulltext(app.ctx, { q: 'harbour' }).results.map((h) => h.node.id)).toEqual([node.id]);
    expect(searchFulltext(app.ctx, { q: 'dock' }).results.map((h) => h.node.id)).toEqual([node.id]);
    expect(encryptionStatus(app.ctx).search_scope).toContain('title and tags only');
    app.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(app.ctx.paths.sqlitePath);
    expect(file.includes('xylophagous')).toBe(false);
    expect(file.includes('pontoon')).toBe(false);
    ftsOk(app);
  }, 30_000);

  it('turns on for an existing vault and off again, in batches, with the index policy applied', async () => {
    home = tempDir();
    let app = open(home);
    await app.vault.init({ passphrase: PASS }, cliActor());
    const originals = new Map<
      string,
      { title: string | null; content: string; metadata: Record<string, unknown> }
    >();
    for (let i = 0; i < 230; i++) {
      const n = add(app, { title: `Note ${i}`, content: `body ${i} about quasar${i % 7}`, metadata: { i } });
      if (i % 3 === 0) updateNode(app.ctx, n.id, { content: `${n.content} (edited)` });
      originals.set(n.id, getNode(app.ctx, n.id));
    }
    close(app);

    app = open(home, { enabled: true, index_plaintext: false });
    await app.vault.unseal(PASS, cliActor());
    expect(encryptionStatus(app.ctx)).toMatchObject({
      target: 'sealed',
      remaining: 230 + 230 + 77,
      index_policy_pending: true,
    });
    const seen: number[] = [];
    const run = await migrateEncryption(app.ctx, { batchSize: 50, onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([50, 100, 150, 200, 230]);
    expect(encryptionStatus(app.ctx)).toMatchObject({
      remaining: 0,
      plaintext_nodes: 0,
      plaintext_versions: 0,
    });
    for (const [id, n] of originals)
      expect(getNode(app.ctx, id)).toMatchObject({
        title: n.title,
        content: n.content,
        metadata: n.metadata,
      });
    expect(searchFulltext(app.ctx, { q: 'quasar3' }).results).toEqual([]);
    expect(searchFulltext(app.ctx, { q: '"Note 42"' }).results).toHaveLength(1);
    expect(run.index_rebuilt).toBe(false);
    ftsOk(app);
    close(app);

    // index_plaintext back on: a full-text rebuild makes content searchable again
    app = open(home, { enabled: true, index_plaintext: true });
    await app.vault.unseal(PASS, cliActor());
    expect((await migrateEncryption(app.ctx)).index_rebuilt).toBe(true);
    expect(searchFulltext(app.ctx, { q: 'quasar3', limit: 50 }).results).toHaveLength(33);
    close(app);

    app = open(home, { enabled: false });
    await app.vault.unseal(PASS, cliActor());
    await migrateEncryption(app.ctx, { batchSize: 64 });
    expect(encryptionStatus(app.ctx)).toMatchObject({ sealed_nodes: 0, sealed_versions: 0, remaining: 0 });
    app.vault.seal();
    for (const [id, n] of originals)
      expect(getNode(app.ctx, id)).toMatchObject({ title: n.title, content: n.content });
    expect(searchFulltext(app.ctx, { q: 'quasar3', limit: 50 }).results).toHaveLength(33);
    ftsOk(app);
  }, 60_000);

  it('finds versions left sealed under a node that another setting rewrote in plaintext', async () => {
    home = tempDir();
    let app = open(home, { enabled: true });
    await app.vault.init({ passphrase: PASS }, cliActor());
    const n = add(app, { title: 'mixed', content: 'first words' });
    close(app);
    app = open(home, { enabled: false });
    await app.vault.unseal(PASS, cliActor());
    updateNode(app.ctx, n.id, { content: 'second words' });
    expect(encryptionStatus(app.ctx)).toMatchObject({ sealed_nodes: 0, sealed_versions: 1, remaining: 1 });
    await migrateEncryption(app.ctx);
    expect(encryptionStatus(app.ctx)).toMatchObject({ sealed_versions: 0, remaining: 0 });
    expect(JSON.stringify(listVersions(app.ctx, n.id, 10))).toContain('first words');
  }, 30_000);

  it('vault rotation re-wraps the node key without touching the rows, and keeps its epoch alive', async () => {
    home = tempDir();
    const app = open(home, { enabled: true });
    await app.vault.init({ passphrase: PASS }, cliActor());
    const n = add(app, { title: 'rotating', content: 'survives rotation' });
    const before = rawNode(app, n.id);
    const r = await app.vault.rotate({}, cliActor());
    expect(r.rewrapped).toBe(1);
    expect(rawNode(app, n.id)).toEqual(before);
    app.vault.seal();
    await app.vault.unseal(PASS, cliActor());
    expect(getNode(app.ctx, n.id).content).toBe('survives rotation');
    const epoch = app.ctx.db.prepare('SELECT epoch FROM node_data_keys').get() as { epoch: number };
    expect(epoch.epoch).toBe(r.epoch);
  }, 30_000);

  it('kill -9 in the middle of the migration: every row reads back exactly, and a second run finishes', async () => {
    home = tempDir();
    let app = open(home);
    await app.vault.init({ passphrase: PASS }, cliActor());
    const originals = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const n = add(app, { title: `crash ${i}`, content: `crash body ${i} ${'x'.repeat(i % 50)}` });
      originals.set(n.id, n.content);
    }
    close(app);
    const died = await runChild(child, [home, 'true', '170', '60'], { VAULT_PASS: PASS });
    expect(died.signal, died.err).toBe('SIGKILL');
    expect(died.out).toBe('60/300\n120/300\n');

    app = open(home, { enabled: true });
    await app.vault.unseal(PASS, cliActor());
    // the batch in flight rolled back: two batches sealed, the rest untouched
    expect(encryptionStatus(app.ctx)).toMatchObject({ sealed_nodes: 120, plaintext_nodes: 180 });
    for (const [id, content] of originals) expect(getNode(app.ctx, id).content).toBe(content);
    ftsOk(app);
    close(app);

    const finished = await runChild(child, [home, 'true', '0', '100'], { VAULT_PASS: PASS });
    expect(finished.out.trim().split('\n').at(-1)).toBe('finished');
    app = open(home, { enabled: true });
    await app.vault.unseal(PASS, cliActor());
    expect(encryptionStatus(app.ctx)).toMatchObject({ sealed_nodes: 300, remaining: 0 });
    for (const [id, content] of originals) expect(getNode(app.ctx, id).content).toBe(content);
    expect(searchFulltext(app.ctx, { q: '"crash body 17"' }).results.map((h) => h.node.content)).toContain(
      originals.get([...originals.keys()][17]!),
    );
    expect(knowledgeStores(app.ctx.db).nodes.get([...originals.keys()][0]!)?.content).toBe(
      originals.get([...originals.keys()][0]!),
    );
    ftsOk(app);
  }, 90_000);
});
