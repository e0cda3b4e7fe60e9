import { NodeKind } from '../nodes/schema.js';
import { parseFrontmatter } from './frontmatter.js';
import { extractLinks, type RawLink } from './links.js';
import { maskCode } from './mask-code.js';
import { frontmatterTags, inlineTags, uniqueTags } from './tags.js';

export interface Heading {
  level: number;
  text: string;
}

/** Everything one note contributes, before any link is resolved. */
export interface ParsedNote {
  path: string;
  /** the file name without `.md` */
  title: string;
  /** the folder, vault-relative; '' at the root */
  folder: string;
  /** the markdown without its frontmatter */
  content: string;
  kind: NodeKind;
  tags: string[];
  invalidTags: string[];
  aliases: string[];
  /** the properties not turned into node fields (tags, aliases, and kind when it is a node kind) */
  frontmatter: Record<string, unknown>;
  frontmatterError?: { message: string; raw: string };
  links: RawLink[];
  headings: Heading[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*\r?$/gm;

function headings(masked: string): Heading[] {
  return [...masked.matchAll(HEADING)].map((m) => ({ level: m[1]!.length, text: m[2]!.trim() }));
}

/** `aliases` (or the older `alias`): a list, or one comma-separated string. */
function aliasList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') continue;
    const alias = String(item).trim();
    if (alias && !out.includes(alias)) out.push(alias);
  }
  return out;
}

const pathParts = (path: string) => {
  const slash = path.lastIndexOf('/');
  const file = path.slice(slash + 1);
  return { folder: slash < 0 ? '' : path.slice(0, slash), title: file.replace(/\.md$/i, '') };
};

// Obsidian leaves blank lines between the frontmatter and the first line; they are not content
const LEADING_BLANK_LINES = /^(?:[ \t]*\r?\n)+/;

export function parseNote(path: string, text: string): ParsedNote {
  const fm = parseFrontmatter(text);
  const { tags: tagsProp, tag: tagProp, aliases: aliasesProp, alias: aliasProp, ...rest } = fm.data;
  const kindProp = NodeKind.safeParse(rest.kind);
  if (kindProp.success) delete rest.kind;
  const masked = maskCode(fm.body);
  const { links, rest: prose } = extractLinks(masked);
  const fromProps = frontmatterTags([tagsProp, tagProp].flat());
  const inline = inlineTags(prose);
  const invalid = [...fromProps.invalid, ...inline.invalid];
  return {
    path,
    ...pathParts(path),
    content: fm.body.replace(LEADING_BLANK_LINES, ''),
    kind: kindProp.success ? kindProp.data : 'fact',
    tags: uniqueTags([fromProps.tags, inline.tags]),
    invalidTags: [...new Set(invalid)],
    aliases: aliasList(aliasesProp ?? aliasProp),
    frontmatter: rest,
    ...(fm.error !== undefined ? { frontmatterError: { message: fm.error, raw: fm.raw ?? '' } } : {}),
    links,
    headings: headings(masked),
  };
}
