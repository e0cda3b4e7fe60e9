import { blank } from './mask-code.js';

/** One internal link as written in a note, before it is resolved to a file. */
export interface RawLink {
  /** the link path: a file name, a vault path or a relative path; '' for a link into the same note */
  target: string;
  heading?: string;
  /** block id, without the ^ */
  block?: string;
  /** display text (`[[Note|alias]]`, `[alias](Note.md)`); for an embedded image, its size */
  alias?: string;
  embed: boolean;
  /** written as a Markdown link rather than a wikilink */
  markdown?: boolean;
}

const WIKILINK = /(!?)\[\[([^[\]\r\n]+?)\]\]/g;
// [text](dest "title"): dest either <in angle brackets> or without spaces, one level of parentheses allowed
const MARKDOWN_LINK =
  /(!?)\[((?:[^[\]\r\n]|\[[^[\]\r\n]*\])*)\]\(\s*(<[^<>\r\n]*>|(?:[^\s()]|\([^\s()]*\))+)(?:\s+(?:"[^"\r\n]*"|'[^'\r\n]*'|\([^()\r\n]*\)))?\s*\)/g;
// http:, mailto:, obsidian://… and other schemes point outside the vault
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

function withSubpath(path: string, subpath: string | undefined, base: Omit<RawLink, 'target'>): RawLink {
  const link: RawLink = { target: path.trim(), ...base };
  if (subpath !== undefined) {
    const sub = subpath.trim();
    if (sub.startsWith('^')) {
      if (sub.length > 1) link.block = sub.slice(1);
    } else if (sub !== '') link.heading = sub;
  }
  return link;
}

function splitAt(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function wikilink(embed: boolean, inner: string): RawLink | null {
  // inside a table the pipe is escaped: [[Note\|alias]]
  const [rawTarget, alias] = splitAt(inner, '|');
  const [path, subpath] = splitAt(rawTarget.replace(/\\$/, ''), '#');
  if (path.trim() === '' && subpath === undefined) return null;
  const trimmedAlias = alias?.trim();
  return withSubpath(path, subpath, { embed, ...(trimmedAlias ? { alias: trimmedAlias } : {}) });
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function markdownLink(embed: boolean, text: string, dest: string): RawLink | null {
  const bare = dest.startsWith('<') ? dest.slice(1, -1) : dest;
  if (bare.trim() === '' || EXTERNAL.test(bare)) return null;
  // split before decoding: an encoded %23 belongs to the file name, a literal # starts the heading
  const [path, subpath] = splitAt(bare, '#');
  const alias = text.trim();
  return withSubpath(decode(path), subpath === undefined ? undefined : decode(subpath), {
    embed,
    markdown: true,
    ...(alias ? { alias } : {}),
  });
}

/**
 * The internal links, embeds included, in a note whose code is already masked (mask-code.ts),
 * and the text with those links blanked out, so `#` inside a link is not mistaken for a tag.
 */
export function extractLinks(masked: string): { links: RawLink[]; rest: string } {
  const links: RawLink[] = [];
  const found: [number, number][] = [];
  for (const m of masked.matchAll(WIKILINK)) {
    found.push([m.index, m.index + m[0].length]);
    const link = wikilink(m[1] === '!', m[2]!);
    if (link) links.push(link);
  }
  const withoutWikilinks = blank(masked, found);
  const more: [number, number][] = [];
  for (const m of withoutWikilinks.matchAll(MARKDOWN_LINK)) {
    more.push([m.index, m.index + m[0].length]);
    const link = markdownLink(m[1] === '!', m[2]!, m[3]!);
    if (link) links.push(link);
  }
  return { links, rest: blank(withoutWikilinks, more) };
}
