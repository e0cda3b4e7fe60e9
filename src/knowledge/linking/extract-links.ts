/**
 * Finds what a note links to: `[[Title]]`, `[[Title|alias]]`, `[[Title#Heading]]`, markdown links
 * `[label](Target Title)`, mentions `@Slug` and `@"Title"`, and URLs (matched against other
 * nodes' `source`). Code blocks and inline code are ignored.
 */
export type LinkVia = 'wikilink' | 'markdown' | 'mention' | 'url';

export interface LinkRef {
  /** `title:<lowercased title>`, `slug:<slug>` or `url:<url>` */
  key: string;
  via: LinkVia;
  text: string;
}

export const titleKey = (title: string) => `title:${title.trim().toLowerCase()}`;
export const slugKey = (title: string) => `slug:${title.trim().toLowerCase().replace(/ /g, '-')}`;
export const urlKey = (url: string) => `url:${url}`;

const CODE = /```[\s\S]*?(```|$)|~~~[\s\S]*?(~~~|$)|`[^`\n]*`/g;
const WIKI = /!?\[\[([^\]\n|#^]+)(?:[#^][^\]\n|]*)?(?:\|[^\]\n]*)?\]\]/g;
const MARKDOWN = /(?<!!)\[([^\]\n]*)\]\(([^)\n]+)\)/g;
const MENTION_QUOTED = /(?<![\w@])@"([^"\n]{1,200})"/g;
const MENTION = /(?<![\w@.])@([A-Za-z0-9][\w-]{0,127})/g;
const URL_RE = /\bhttps?:\/\/[^\s<>()"'`\]]+/g;

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s);

function markdownTarget(href: string): string | undefined {
  const h = href.trim().replace(/^<|>$/g, '');
  if (!h || h.startsWith('#') || h.startsWith('/') || hasScheme(h)) return undefined;
  let target = h.split('#')[0] ?? '';
  try {
    target = decodeURIComponent(target);
  } catch {
    // keep it as written
  }
  target = target.replace(/\.md$/i, '').split('/').pop() ?? '';
  return target.trim() || undefined;
}

export function extractLinks(content: string, max = Number.POSITIVE_INFINITY): LinkRef[] {
  const text = content.replace(CODE, (m) => ' '.repeat(m.length));
  const refs = new Map<string, LinkRef>();
  const add = (key: string, via: LinkVia, raw: string) => {
    if (refs.size < max && !refs.has(key)) refs.set(key, { key, via, text: raw });
  };
  for (const m of text.matchAll(WIKI)) if (m[1]?.trim()) add(titleKey(m[1]), 'wikilink', m[0]);
  for (const m of text.matchAll(MARKDOWN)) {
    const target = markdownTarget(m[2] ?? '');
    if (target) add(titleKey(target), 'markdown', m[0]);
  }
  for (const m of text.matchAll(MENTION_QUOTED)) if (m[1]?.trim()) add(titleKey(m[1]), 'mention', m[0]);
  for (const m of text.matchAll(MENTION)) add(slugKey(m[1]!), 'mention', m[0]);
  for (const m of text.matchAll(URL_RE)) add(urlKey(m[0].replace(/[.,;:!?]+$/, '')), 'url', m[0]);
  return [...refs.values()];
}
