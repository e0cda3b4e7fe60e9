/**
 * Blanks out the parts of a note Obsidian reads no links or tags from: fenced code blocks,
 * inline code, `%% comments %%` and `<!-- HTML comments -->`. Every character in them becomes a
 * space except newlines, so an offset or line found in the result points at the same place in
 * the original text.
 */
export function maskCode(text: string): string {
  const ranges: [number, number][] = [];
  const fenced = fencedBlocks(text);
  ranges.push(...fenced);
  const afterFences = blank(text, fenced);
  const spans = inlineCode(afterFences);
  ranges.push(...spans);
  ranges.push(...comments(blank(afterFences, spans)));
  return blank(text, ranges);
}

/** Replaces every character of the ranges except line breaks with a space. */
export function blank(text: string, ranges: readonly (readonly [number, number])[]): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of sorted) {
    const from = Math.max(start, at);
    if (end <= from) continue;
    out += text.slice(at, from) + text.slice(from, end).replace(/[^\r\n]/g, ' ');
    at = end;
  }
  return out + text.slice(at);
}

// fences may sit inside callouts and block quotes (`> ```js`) and in indented list items
const FENCE = /^(?:[ \t]*>)*[ \t]*(`{3,}|~{3,})(.*)$/;

function fencedBlocks(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let open: { char: string; size: number; start: number } | null = null;
  let offset = 0;
  for (const line of text.split('\n')) {
    const end = offset + line.length;
    const m = FENCE.exec(line.replace(/\r$/, ''));
    if (m) {
      const fence = m[1]!;
      const rest = m[2]!;
      if (!open) {
        // ```foo``` on one line is inline code, not a fence: a backtick fence's info string has no backticks
        if (!(fence[0] === '`' && rest.includes('`')))
          open = { char: fence[0]!, size: fence.length, start: offset };
      } else if (fence[0] === open.char && fence.length >= open.size && rest.trim() === '') {
        ranges.push([open.start, end]);
        open = null;
      }
    }
    offset = end + 1;
  }
  // an unclosed fence runs to the end of the note, as in CommonMark
  if (open) ranges.push([open.start, text.length]);
  return ranges;
}

function inlineCode(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  const runs = /`+/g;
  let m: RegExpExecArray | null = runs.exec(text);
  while (m) {
    const start = m.index;
    const size = m[0].length;
    const escaped = start > 0 && text[start - 1] === '\\';
    const close = escaped ? -1 : closingRun(text, start + size, size);
    if (close >= 0) {
      ranges.push([start, close + size]);
      runs.lastIndex = close + size;
    }
    m = runs.exec(text);
  }
  return ranges;
}

/** Where a run of exactly `size` backticks closes the span, or -1; a span never crosses a blank line. */
function closingRun(text: string, from: number, size: number): number {
  const paragraphEnd = /\n[ \t]*\r?\n/g;
  paragraphEnd.lastIndex = from;
  const limit = paragraphEnd.exec(text)?.index ?? text.length;
  const runs = /`+/g;
  runs.lastIndex = from;
  let m: RegExpExecArray | null = runs.exec(text);
  while (m && m.index < limit) {
    if (m[0].length === size) return m.index;
    m = runs.exec(text);
  }
  return -1;
}

function comments(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const m of text.matchAll(/%%[\s\S]*?%%|<!--[\s\S]*?-->/g))
    ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}
