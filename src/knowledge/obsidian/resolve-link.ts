import { posix } from 'node:path';
import type { VaultFiles } from './scan-vault.js';

export type Resolution =
  | { type: 'note'; path: string }
  | { type: 'attachment'; path: string }
  /** a link into the note it is written in (`[[#Heading]]`): not an edge */
  | { type: 'self' }
  | { type: 'missing' };

// macOS hands out decomposed (NFD) file names while links are typed composed: compare both as NFC
const key = (s: string) => s.normalize('NFC').toLowerCase();
const noteKey = (s: string) => key(s.replace(/\.md$/i, ''));
const lastSegment = (s: string) => s.slice(s.lastIndexOf('/') + 1);

const shortest = (paths: readonly string[]): string | undefined =>
  [...paths].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))[0];

function push(map: Map<string, string[]>, k: string, path: string) {
  const list = map.get(k);
  if (!list) map.set(k, [path]);
  else if (!list.includes(path)) list.push(path);
}

/** One kind of file (notes or attachments), found by path or by name. */
class FileIndex {
  private readonly byPath = new Map<string, string>();
  private readonly byName = new Map<string, string[]>();

  constructor(
    paths: readonly string[],
    private readonly keyOf: (s: string) => string,
  ) {
    for (const p of paths) {
      this.byPath.set(keyOf(p), p);
      push(this.byName, keyOf(lastSegment(p)), p);
    }
  }

  exact(path: string): string | undefined {
    return this.byPath.get(this.keyOf(path));
  }

  /** By file name; a link with folders (`Folder/Note`) matches the files whose path ends that way. */
  named(linkpath: string): string | undefined {
    const all = this.byName.get(this.keyOf(lastSegment(linkpath)));
    if (!all) return undefined;
    if (!linkpath.includes('/')) return shortest(all);
    const suffix = `/${this.keyOf(linkpath)}`;
    return shortest(all.filter((p) => `/${this.keyOf(p)}`.endsWith(suffix)));
  }
}

/** `../x` from a note at the root leaves the vault: no such file. */
function normalize(path: string): string | null {
  const n = posix.normalize(path);
  return n === '..' || n.startsWith('../') || n === '.' ? null : n;
}

/**
 * Resolves link paths the way Obsidian does: relative to the linking note's folder, then from the
 * vault root, then by file name anywhere (case-insensitive; the shortest path wins when several
 * files share a name), and last by a note's `aliases`.
 */
export class LinkResolver {
  private readonly notes: FileIndex;
  private readonly files: FileIndex;
  private readonly aliases = new Map<string, string[]>();

  constructor(vault: VaultFiles) {
    this.notes = new FileIndex(vault.notes, noteKey);
    this.files = new FileIndex(vault.attachments, key);
  }

  addAliases(path: string, aliases: readonly string[]) {
    for (const alias of aliases) push(this.aliases, key(alias), path);
  }

  resolve(target: string, from: string): Resolution {
    const t = target.trim().replace(/\\/g, '/');
    if (t === '') return { type: 'self' };
    const found = this.find(t, from);
    if (found?.type === 'note' && found.path === from) return { type: 'self' };
    return found ?? { type: 'missing' };
  }

  private find(t: string, from: string): Resolution | undefined {
    const absolute = t.startsWith('/');
    const linkpath = t.replace(/^\/+/, '');
    const folder = posix.dirname(from);
    const candidates = [
      absolute || folder === '.' ? null : normalize(`${folder}/${linkpath}`),
      normalize(linkpath),
    ];
    for (const index of [this.notes, this.files]) {
      const type = index === this.notes ? 'note' : 'attachment';
      for (const c of candidates) {
        const path = c === null ? undefined : index.exact(c);
        if (path) return { type, path };
      }
      const byName = absolute ? undefined : index.named(normalize(linkpath) ?? linkpath);
      if (byName) return { type, path: byName };
    }
    const owners = this.aliases.get(key(t));
    const owner = owners && shortest(owners);
    return owner ? { type: 'note', path: owner } : undefined;
  }
}
