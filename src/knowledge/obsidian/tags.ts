import { Tag } from '../nodes/schema.js';

export interface TagList {
  tags: string[];
  /** what looked like a tag but Helix cannot store (too long, a comma, …) */
  invalid: string[];
}

// Obsidian's tag characters: letters and digits of any script, `_`, `-` and `/` for nesting
const TAG_BODY = /[\p{L}\p{N}\p{M}_\-/]+/uy;

function clean(raw: string, out: TagList) {
  const tag = raw
    .trim()
    .replace(/^#+/, '')
    .replace(/^\/+|\/+$/g, '');
  if (tag === '') return;
  // `#123` is not a tag in Obsidian: a tag needs at least one character that is not a digit
  if (/^[\d/]+$/.test(tag)) return;
  const parsed = Tag.safeParse(tag);
  if (parsed.success) out.tags.push(parsed.data);
  else out.invalid.push(tag);
}

/**
 * Tags written in the text. Expects code already masked (see mask-code.ts); `# Heading` is not a
 * tag (space after #), nor is `page#anchor` or a URL fragment (no whitespace before #).
 */
export function inlineTags(masked: string): TagList {
  const out: TagList = { tags: [], invalid: [] };
  // scanning for # is far quicker than a regex with a lookbehind over the whole text
  for (let at = masked.indexOf('#'); at >= 0; at = masked.indexOf('#', at + 1)) {
    if (at > 0 && !/\s/.test(masked[at - 1]!)) continue;
    TAG_BODY.lastIndex = at + 1;
    const m = TAG_BODY.exec(masked);
    if (m) clean(m[0], out);
  }
  return out;
}

/** The `tags` property: a YAML list, or one string of tags separated by commas or spaces, `#` optional. */
export function frontmatterTags(value: unknown): TagList {
  const out: TagList = { tags: [], invalid: [] };
  const items = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') continue;
    // Helix tags cannot hold spaces or commas; Obsidian ends a tag at either, so split there
    for (const part of String(item).split(/[\s,]+/)) clean(part, out);
  }
  return out;
}

/** Tags once each, case-insensitively, first spelling kept (how Helix compares tags). */
export function uniqueTags(lists: readonly string[][]): string[] {
  const seen = new Map<string, string>();
  for (const list of lists)
    for (const t of list) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()];
}
