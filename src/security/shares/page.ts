import { createHash } from 'node:crypto';
import { escapeHtml, renderMarkdown } from './markdown.js';

const STYLE = `body{margin:0;background:#fafafa;color:#1f2328;font:16px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:46rem;margin:2rem auto;padding:2rem;background:#fff;border:1px solid #e5e7eb;border-radius:8px}
h1,h2,h3,h4,h5,h6{line-height:1.25}.meta{color:#59636e;font-size:.875rem;margin-bottom:1.5rem}
pre{background:#f6f8fa;padding:1rem;overflow:auto;border-radius:6px}code{font:.875em ui-monospace,monospace}
blockquote{margin:0;padding:0 1rem;color:#59636e;border-left:.25rem solid #d1d9e0}a{color:#0969da}
footer{color:#59636e;font-size:.75rem;margin-top:2rem}`;

const styleHash = createHash('sha256').update(STYLE).digest('base64');

/**
 * The only thing the page may load is its own stylesheet (by hash). No script source at all,
 * and `sandbox` without allow-scripts: even markup that slipped through could not run.
 */
export const SHARE_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${styleHash}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  'sandbox',
].join('; ');

export interface SharedNode {
  title: string | null;
  kind: string;
  content: string;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export function renderSharePage(node: SharedNode): string {
  const title = escapeHtml(node.title ?? 'Shared note');
  const meta = [node.kind, ...node.tags.map((t) => `#${t}`), `updated ${node.updated_at.slice(0, 10)}`]
    .map(escapeHtml)
    .join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<article>
<h1>${title}</h1>
<div class="meta">${meta}</div>
${renderMarkdown(node.content)}
</article>
<footer>Shared from Helix</footer>
</main>
</body>
</html>
`;
}
