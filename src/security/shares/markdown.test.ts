import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdown } from './markdown.js';

const ALLOWED = new Set([
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'strong',
  'em',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  'hr',
  'a',
]);
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g;

/** Every tag the output holds is one the renderer writes, with no attribute but a safe href. */
function assertSafe(html: string) {
  for (const m of html.matchAll(TAG)) {
    const [, name, attrs] = m;
    expect(ALLOWED.has(name!.toLowerCase()), `tag ${name}`).toBe(true);
    if (name === 'a' && attrs)
      expect(attrs).toMatch(/^ href="https?:\/\/[^"<>\s]*" rel="nofollow noopener noreferrer"$/i);
    else expect(attrs, `attributes of ${name}`).toBe('');
  }
}

describe('renderMarkdown', () => {
  it('renders the supported constructs', () => {
    const html = renderMarkdown(
      '# Title\n\nSome **bold**, *em* and `x<y`.\n\n- a\n- b\n\n1. one\n\n> quote\n\n---\n\n[site](https://a.example/?q=1&r=2)',
    );
    expect(html).toBe(
      [
        '<h1>Title</h1>',
        '<p>Some <strong>bold</strong>, <em>em</em> and <code>x&lt;y</code>.</p>',
        '<ul><li>a</li><li>b</li></ul>',
        '<ol><li>one</li></ol>',
        '<blockquote><p>quote</p></blockquote>',
        '<hr>',
        '<p><a href="https://a.example/?q=1&amp;r=2" rel="nofollow noopener noreferrer">site</a></p>',
      ].join('\n'),
    );
  });

  it('never passes HTML, event handlers or script URLs through', () => {
    const attacks = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](data:text/html,<script>alert(1)</script>)',
      '[x](https://ok.example/"onmouseover="alert(1))',
      "[x](https://ok.example/'onmouseover='alert(1))",
      '[**x**](vbscript:msgbox)',
      '<a href="javascript:alert(1)">y</a>',
      '```\n</code></pre><script>alert(1)</script>\n```',
      '`</code><script>x</script>`',
    ];
    for (const a of attacks) {
      const html = renderMarkdown(a);
      assertSafe(html);
      expect(html).not.toMatch(/href="(?!https?:)/i);
    }
  });

  it('is safe for any input (property)', () => {
    const pieces = fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '&',
      '`',
      '```',
      '*',
      '**',
      '_',
      '[',
      ']',
      '(',
      ')',
      '#',
      '- ',
      '1. ',
      '> ',
      '\n',
      'javascript:',
      'https://x.example/',
      'onerror=',
      '<script>',
      '</code>',
      'a',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 40 }), (parts) => {
        assertSafe(renderMarkdown(parts.join('')));
      }),
      { numRuns: 500 },
    );
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
