import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface VaultFiles {
  /** vault-relative paths of the notes (`*.md`), `/`-separated, sorted */
  notes: string[];
  /** vault-relative paths of every other file: images, PDFs, canvases, … */
  attachments: string[];
}

export const isNotePath = (path: string) => path.toLowerCase().endsWith('.md');

// `.obsidian/` (settings, plugins), `.trash/`, `.git/` and the like are not part of the vault's content
const hidden = (name: string) => name.startsWith('.');

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Lists a vault's notes and attachments. Symlinked folders are not followed: a link back up the
 * tree would loop forever, and Obsidian itself warns against them.
 */
export async function scanVault(root: string): Promise<VaultFiles> {
  const notes: string[] = [];
  const attachments: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (hidden(entry.name)) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      let isFile = entry.isFile();
      if (entry.isDirectory()) {
        await walk(full, rel);
        continue;
      }
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => null);
        isFile = target?.isFile() ?? false;
      }
      if (!isFile) continue;
      (isNotePath(entry.name) ? notes : attachments).push(rel);
    }
  };
  await walk(root, '');
  // a stable order makes the records, and so the import's line numbers, the same on every run
  return { notes: notes.sort(byCodePoint), attachments: attachments.sort(byCodePoint) };
}
