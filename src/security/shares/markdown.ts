/**
 * A deliberately small markdown renderer for public shares. Everything is HTML-escaped FIRST;
 * only then are a few constructs turned into tags this code writes itself (headings, emphasis,
 * code, lists, quotes, rules, and links whose target is http(s)). No HTML from the content ever
 * passes through, so `<script>`, `onerror=` or a `javascript:` link can only come out as text.
 */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

const SAFE_URL = /^https?:\/\/[^\s"'<>`]+$/i;

/** Emphasis on already-escaped text. */
function emphasis(s: string): string {
  return s
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/__([^_\n]+)__/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>');
}

/** Inline markup of one escaped line: code spans, then links, then emphasis. */
function inline(raw: string): string {
  const parts = escapeHtml(raw).split(/(`[^`\n]+`)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${part.slice(1, -1)}</code>`;
      // links become placeholders so emphasis never reaches into an href
      const links: string[] = [];
      const text = part.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => {
        // the URL is escaped text: undo the escaping, check it, then escape it again for the attribute
        const target = unescapeHtml(url);
        if (!SAFE_URL.test(target)) return label;
        links.push(
          `<a href="${escapeHtml(target)}" rel="nofollow noopener noreferrer">${emphasis(label)}</a>`,
        );
        return `\u0000${links.length - 1}\u0000`;
      });
      return emphasis(text).replace(/\u0000(\d+)\u0000/g, (_m, n: string) => links[Number(n)] ?? '');
    })
    .join('');
}

/** Line-level constructs that gather consecutive lines into one block. */
const LIST_ITEMS: ReadonlyArray<readonly ['quote' | 'ul' | 'ol', RegExp]> = [
  ['quote', /^\s*>\s?(.*)$/],
  ['ul', /^\s*[-*+]\s+(.*)$/],
  ['ol', /^\s*\d{1,9}[.)]\s+(.*)$/],
];

type Block = { kind: 'p' | 'ul' | 'ol' | 'quote'; lines: string[] } | null;

export function renderMarkdown(markdown: string): string {
  const lines = markdown
    .replace(/\u0000/g, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  const out: string[] = [];
  let block: Block = null;
  const flush = () => {
    if (!block) return;
    if (block.kind === 'p') out.push(`<p>${block.lines.map(inline).join('<br>')}</p>`);
    else if (block.kind === 'quote')
      out.push(`<blockquote><p>${block.lines.map(inline).join('<br>')}</p></blockquote>`);
    else
      out.push(`<${block.kind}>${block.lines.map((l) => `<li>${inline(l)}</li>`).join('')}</${block.kind}>`);
    block = null;
  };
  const add = (kind: NonNullable<Block>['kind'], text: string) => {
    if (block?.kind !== kind) flush();
    block ??= { kind, lines: [] };
    block.lines.push(text);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]!); i++) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      out.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      out.push('<hr>');
      continue;
    }
    const item = LIST_ITEMS.map(([kind, re]) => [kind, re.exec(line)] as const).find(([, m]) => m);
    if (item) add(item[0], item[1]![1]!);
    else add('p', line.trim());
  }
  flush();
  return out.join('\n');
}
