import { parse } from 'yaml';

export interface Frontmatter {
  /** the parsed properties; empty when there are none or they do not parse */
  data: Record<string, unknown>;
  /** the note without its frontmatter block */
  body: string;
  /** the YAML text when it did not parse, so nothing the user wrote is lost */
  raw?: string;
  error?: string;
}

const OPEN = /^\uFEFF?---[ \t]*$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

/** Splits `---`-fenced YAML at the very top of a note from the body, as Obsidian does. */
export function splitFrontmatter(text: string): { yaml: string | null; body: string } {
  const firstBreak = text.indexOf('\n');
  if (firstBreak < 0 || !OPEN.test(text.slice(0, firstBreak).replace(/\r$/, '')))
    return { yaml: null, body: text };
  let offset = firstBreak + 1;
  while (offset <= text.length) {
    const next = text.indexOf('\n', offset);
    const end = next < 0 ? text.length : next;
    if (CLOSE.test(text.slice(offset, end).replace(/\r$/, ''))) {
      const yaml = text.slice(firstBreak + 1, offset).replace(/\r?\n$/, '');
      return { yaml, body: next < 0 ? '' : text.slice(next + 1) };
    }
    if (next < 0) break;
    offset = next + 1;
  }
  // no closing fence: Obsidian shows the dashes as text, and so do we
  return { yaml: null, body: text };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseFrontmatter(text: string): Frontmatter {
  const { yaml, body } = splitFrontmatter(text);
  if (yaml === null || yaml.trim() === '') return { data: {}, body };
  let value: unknown;
  try {
    // YAML 1.2 core schema: dates stay strings, so the metadata round-trips through JSON unchanged
    value = parse(yaml, { schema: 'core', maxAliasCount: 100 });
  } catch (err) {
    return { data: {}, body, raw: yaml, error: (err as Error).message.split('\n')[0] ?? 'invalid YAML' };
  }
  if (value === null || value === undefined) return { data: {}, body };
  if (!isPlainObject(value))
    return { data: {}, body, raw: yaml, error: 'frontmatter is not a key: value map' };
  // the JSON round trip turns NaN/Infinity into null up front, so a re-import compares equal to what was stored
  return { data: JSON.parse(JSON.stringify(value)) as Record<string, unknown>, body };
}
