import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION } from '../transfer/format.js';
import {
  DEFAULT_NAMESPACE,
  EdgeCollector,
  type Embed,
  embedOf,
  noteId,
  noteRecord,
} from './build-records.js';
import type { RawLink } from './links.js';
import { parseNote } from './parse-note.js';
import { LinkResolver } from './resolve-link.js';
import { scanVault } from './scan-vault.js';
import { type VaultReport, VaultTally } from './vault-report.js';

export interface VaultRecordsOptions {
  namespace?: string;
  /** after each note is read and turned into a record */
  onNote?: (done: number, total: number) => void;
  /** once the links are resolved, before the first edge is emitted */
  onEdges?: (edges: number) => void;
}

export interface VaultRecords {
  /** how many notes the vault holds */
  notes: number;
  /** the vault as export-format JSON Lines: header, one node per note, then the edges */
  lines: AsyncGenerator<string>;
  /** complete once `lines` has been read to the end */
  report(): VaultReport;
  /** what a line of `lines` came from (a note's path, `from -> to` for an edge), for failure messages */
  describeLine(line: number): string | undefined;
}

// a link with an extension other than .md names an attachment, even when that file is missing
const ATTACHMENT_LIKE = /\.(?!md$)[A-Za-z0-9]{1,8}$/i;

async function timestamps(file: string) {
  const s = await stat(file);
  // some filesystems report no birth time (0): fall back to the last change
  const born = s.birthtimeMs > 0 && s.birthtimeMs <= s.mtimeMs ? s.birthtime : s.mtime;
  return { created_at: born.toISOString(), updated_at: s.mtime.toISOString() };
}

const READ_AHEAD = 16;

type Loaded =
  | { ok: true; path: string; text: string; times: { created_at: string; updated_at: string } }
  | { ok: false; path: string; reason: string };

const load = (root: string, path: string): Promise<Loaded> => {
  const file = join(root, path);
  return Promise.all([readFile(file, 'utf8'), timestamps(file)]).then(
    ([text, times]): Loaded => ({ ok: true, path, text, times }),
    (err: Error): Loaded => ({ ok: false, path, reason: err.message }),
  );
};

/**
 * Turns an Obsidian vault into import records, streaming: each note is read, parsed and emitted
 * in turn, keeping only its links for later. Edges come last, once every note's aliases are known,
 * which is also the order the importer wants.
 */
export async function vaultRecords(dir: string, options: VaultRecordsOptions = {}): Promise<VaultRecords> {
  const root = resolve(dir);
  const files = await scanVault(root);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const resolver = new LinkResolver(files);
  const tally = new VaultTally(root, namespace, files.notes.length, files.attachments.length);
  const labels: string[] = [];
  const pending: { path: string; links: RawLink[] }[] = [];

  async function* noteLines(): AsyncGenerator<string> {
    // a few reads in flight hide the disk's latency; a few, so memory stays flat on a big vault
    const queue: Promise<Loaded>[] = [];
    let next = 0;
    let done = 0;
    while (done < files.notes.length) {
      while (queue.length < READ_AHEAD && next < files.notes.length)
        queue.push(load(root, files.notes[next++]!));
      const loaded = await queue.shift()!;
      const { path } = loaded;
      done++;
      if (!loaded.ok) {
        tally.unreadable(path, loaded.reason);
        options.onNote?.(done, files.notes.length);
        continue;
      }
      const { text, times } = loaded;
      const note = parseNote(path, text);
      resolver.addAliases(path, note.aliases);
      tally.tags(note.tags);
      if (note.frontmatterError) tally.frontmatterError(path, note.frontmatterError.message);
      const embeds: Embed[] = [];
      const attachmentLinks = new Set<string>();
      const later: RawLink[] = [];
      for (const link of note.links) {
        // an attachment is final now: aliases (read later) only ever name notes
        const found = resolver.resolve(link.target, path);
        if (found.type === 'attachment') {
          tally.link(path, link, found);
          if (link.embed) embeds.push(embedOf(link, found.path));
          else attachmentLinks.add(found.path);
          continue;
        }
        if (link.embed && found.type === 'missing' && ATTACHMENT_LIKE.test(link.target))
          embeds.push(embedOf(link, null));
        later.push(link);
      }
      if (later.length > 0) pending.push({ path, links: later });
      const record = noteRecord(note, {
        ...(options.namespace ? { namespace: options.namespace } : {}),
        embeds,
        attachmentLinks: [...attachmentLinks],
        ...times,
      });
      labels.push(path);
      yield JSON.stringify(record);
      options.onNote?.(done, files.notes.length);
    }
  }

  function* edgeLines(): Generator<string> {
    const edges = new EdgeCollector();
    // a note is linked many times: hash its id once
    const ids = new Map<string, string>();
    const id = (path: string) => {
      const known = ids.get(path);
      if (known) return known;
      const fresh = noteId(namespace, path);
      ids.set(path, fresh);
      return fresh;
    };
    const ends = new Map<string, string>();
    for (const { path, links } of pending) {
      for (const link of links) {
        const found = resolver.resolve(link.target, path);
        tally.link(path, link, found);
        if (found.type === 'note') {
          edges.add(id(path), id(found.path), link);
          ends.set(`${id(path)}>${id(found.path)}`, `${path} -> ${found.path}`);
        }
      }
    }
    pending.length = 0;
    tally.report.relationships = edges.size;
    options.onEdges?.(edges.size);
    for (const record of edges.records()) {
      labels.push(ends.get(`${record.from_node}>${record.to_node}`) ?? record.id);
      yield JSON.stringify(record);
    }
  }

  async function* lines(): AsyncGenerator<string> {
    labels.push('header');
    yield JSON.stringify({ type: 'header', format: EXPORT_FORMAT, format_version: EXPORT_FORMAT_VERSION });
    yield* noteLines();
    yield* edgeLines();
  }

  return {
    notes: files.notes.length,
    lines: lines(),
    report: () => tally.report,
    describeLine: (line) => labels[line - 1],
  };
}
