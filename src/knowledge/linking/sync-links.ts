import type { Database } from 'better-sqlite3';
import type { Context } from '../../core/context.js';
import { fieldCodec } from '../../storage/sealed-fields.js';
import { openRow } from '../nodes/sealing.js';
import { insertRelationshipTx } from '../relationships/service.js';
import { knowledgeStores } from '../stores.js';
import { extractLinks, type LinkRef, slugKey, titleKey, urlKey } from './extract-links.js';

interface LinkSource {
  id: string;
  namespace: string;
  content: string;
}

interface LinkTarget {
  id: string;
  namespace: string;
  title: string | null;
  source: string | null;
}

type SealedCandidate = {
  id: string;
  title: string | null;
  content: string;
  metadata: string;
  sealed_key: number;
};

const statements = new WeakMap<Database, ReturnType<typeof prepare>>();

/** Prepared once per database: these run on every node write. */
function prepare(db: Database) {
  const by = (where: string) =>
    db.prepare(
      `SELECT id FROM nodes WHERE namespace = ? AND ${where} AND id != ? ORDER BY created_at, id LIMIT 1`,
    );
  return {
    title: by('title = ? COLLATE NOCASE'),
    slug: by("lower(replace(trim(title), ' ', '-')) = ?"),
    url: by('source = ?'),
    autoEdges: db.prepare(
      "SELECT id, to_node FROM relationships WHERE from_node = ? AND kind = 'references' AND json_extract(metadata, '$.auto') = 1",
    ),
    clearPending: db.prepare('DELETE FROM pending_links WHERE from_node = ?'),
    addPending: db.prepare(
      'INSERT OR IGNORE INTO pending_links (from_node, target_key, namespace, via, text) VALUES (?, ?, ?, ?, ?)',
    ),
    waiting: db.prepare(
      'SELECT from_node, target_key, via, text FROM pending_links WHERE namespace = ? AND target_key IN (SELECT value FROM json_each(?)) AND from_node != ?',
    ),
    resolved: db.prepare('DELETE FROM pending_links WHERE from_node = ? AND target_key = ?'),
    anyPending: db.prepare('SELECT EXISTS (SELECT 1 FROM pending_links) AS any').pluck(),
    anySealed: db.prepare('SELECT EXISTS (SELECT 1 FROM node_data_keys) AS any').pluck(),
    // sealed titles cannot be compared in SQL: the full-text index (which holds titles in every
    // mode) finds the few candidates, which are opened and compared exactly
    sealedByTitle: db.prepare(
      `SELECT n.id, n.title, n.content, n.metadata, n.sealed_key FROM nodes_fts f JOIN nodes n ON n.seq = f.rowid
       WHERE nodes_fts MATCH ? AND n.namespace = ? AND n.id != ? AND n.sealed_key IS NOT NULL
       ORDER BY n.created_at, n.id LIMIT 50`,
    ),
  };
}

function sqlFor(db: Database) {
  let s = statements.get(db);
  if (!s) {
    s = prepare(db);
    statements.set(db, s);
  }
  return s;
}

/** The link's words, kept beside the edge; not when node text is sealed, for they are the note's text. */
const linkText = (ctx: Context, text: string) => (fieldCodec(ctx.db).sealing ? '' : text.slice(0, 500));

const autoMetadata = (ctx: Context, ref: Pick<LinkRef, 'via' | 'text'>) => ({
  auto: true,
  via: ref.via,
  text: linkText(ctx, ref.text),
});

function resolve(ctx: Context, ref: LinkRef, namespace: string, self: string): string | undefined {
  const value = ref.key.slice(ref.key.indexOf(':') + 1);
  const sql = sqlFor(ctx.db);
  const kind = ref.key.startsWith('title:') ? 'title' : ref.key.startsWith('slug:') ? 'slug' : 'url';
  const stmt = kind === 'title' ? sql.title : kind === 'slug' ? sql.slug : sql.url;
  const plain = (stmt.get(namespace, value, self) as { id: string } | undefined)?.id;
  if (plain || kind === 'url' || !sql.anySealed.get()) return plain;
  return resolveSealed(ctx, kind, value, namespace, self);
}

function resolveSealed(
  ctx: Context,
  kind: 'title' | 'slug',
  value: string,
  namespace: string,
  self: string,
): string | undefined {
  const words = value.match(/[\p{L}\p{N}]+/gu);
  if (!words) return undefined;
  const phrase = `title : "${words.join(' ').replace(/"/g, '')}"`;
  const codec = fieldCodec(ctx.db);
  const normal = (t: string) =>
    kind === 'title' ? t.toLowerCase() : t.trim().toLowerCase().replace(/ /g, '-');
  const rows = sqlFor(ctx.db).sealedByTitle.all(phrase, namespace, self) as SealedCandidate[];
  return rows.find((r) => {
    const title = openRow(codec, r).title;
    return title !== null && normal(title) === value;
  })?.id;
}

function addEdge(ctx: Context, from: string, to: string, ref: Pick<LinkRef, 'via' | 'text'>) {
  insertRelationshipTx(
    ctx,
    { from_node: from, to_node: to, kind: 'references', weight: 1, metadata: autoMetadata(ctx, ref) },
    { reuseExisting: true },
  );
}

/**
 * Makes a node's automatic `references` edges match the links in its content: new links become
 * edges, removed links lose theirs, links to notes that do not exist yet wait in `pending_links`.
 * Edges a person made by hand are never removed. Call inside the node's write transaction.
 */
export function syncLinksTx(ctx: Context, node: LinkSource): void {
  const { linking } = ctx.config;
  if (!linking.auto_backlinks_enabled) return;
  const { nodes, relationships } = knowledgeStores(ctx.db);
  const now = ctx.clock.now().toISOString();
  const wanted = new Map<string, LinkRef>();
  const pending: LinkRef[] = [];
  for (const ref of extractLinks(node.content, linking.auto_backlinks_max_targets)) {
    const to = resolve(ctx, ref, node.namespace, node.id);
    if (to) {
      if (!wanted.has(to)) wanted.set(to, ref);
    } else pending.push(ref);
  }
  const sql = sqlFor(ctx.db);
  const current = sql.autoEdges.all(node.id) as { id: string; to_node: string }[];
  for (const edge of current) {
    if (wanted.delete(edge.to_node)) continue;
    relationships.delete(edge.id);
    nodes.recordChange('relationship', edge.id, 'delete', node.namespace, null, now);
  }
  for (const [to, ref] of wanted) addEdge(ctx, node.id, to, ref);
  sql.clearPending.run(node.id);
  for (const ref of pending)
    sql.addPending.run(node.id, ref.key, node.namespace, ref.via, linkText(ctx, ref.text));
}

/** Turns links that were waiting for this node (by its title, slug or source) into edges. */
export function resolvePendingTx(ctx: Context, node: LinkTarget): void {
  const keys = [
    ...(node.title?.trim() ? [titleKey(node.title), slugKey(node.title)] : []),
    ...(node.source ? [urlKey(node.source)] : []),
  ];
  if (keys.length === 0) return;
  const sql = sqlFor(ctx.db);
  // most writes happen with nothing waiting: one cheap probe instead of a keyed lookup
  if (!sql.anyPending.get()) return;
  const waiting = sql.waiting.all(node.namespace, JSON.stringify(keys), node.id) as {
    from_node: string;
    target_key: string;
    via: LinkRef['via'];
    text: string;
  }[];
  for (const w of waiting) {
    addEdge(ctx, w.from_node, node.id, w);
    sql.resolved.run(w.from_node, w.target_key);
  }
}
