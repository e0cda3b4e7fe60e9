import type { KnowledgeNode } from '../knowledge/nodes/schema.js';

export const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
export const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const titleOf = (n: Pick<KnowledgeNode, 'title' | 'content'>): string =>
  n.title?.trim() ? clip(oneLine(n.title), 80) : clip(oneLine(n.content), 60) || '(untitled)';

/** A snippet without FTS markup, so it costs no tokens for tags the model does not need. */
export const plainSnippet = (snippet: string | undefined, node: KnowledgeNode, max = 160): string =>
  clip(oneLine((snippet || node.content).replace(/<\/?mark>/g, '')), max);

/** What a hit looks like in structured content: enough to decide whether to open it. */
export interface CompactHit {
  id: string;
  title: string;
  kind: string;
  namespace: string;
  tags: string[];
  snippet: string;
  score?: number;
  updated_at: string;
}

export function compactHit(node: KnowledgeNode, snippet?: string, score?: number): CompactHit {
  return {
    id: node.id,
    title: titleOf(node),
    kind: node.kind,
    namespace: node.namespace,
    tags: node.tags.slice(0, 8),
    snippet: plainSnippet(snippet, node),
    ...(score !== undefined ? { score: Math.round(score * 1000) / 1000 } : {}),
    updated_at: node.updated_at,
  };
}

/** One line per hit: title, id, short snippet. */
export const hitLine = (h: CompactHit, i: number): string =>
  `${i}. ${h.title} [${h.kind}] id=${h.id}${h.score !== undefined ? ` score=${h.score}` : ''}${h.tags.length ? ` #${h.tags.join(' #')}` : ''} — ${h.snippet}`;

export interface LinkRef {
  id: string;
  title: string;
  kind: string;
  relation: string;
}

/** A node as markdown: title, a metadata line, the content (or a slice of it) and its links. */
export function nodeMarkdown(
  node: KnowledgeNode,
  content: string,
  links: LinkRef[],
  backlinks: LinkRef[],
  more?: string,
): string {
  const meta = [
    `id: ${node.id}`,
    `kind: ${node.kind}`,
    `namespace: ${node.namespace}`,
    node.tags.length ? `tags: ${node.tags.map((t) => `#${t}`).join(' ')}` : '',
    `version: ${node.version}`,
    `updated: ${node.updated_at}`,
    node.source ? `source: ${node.source}` : '',
  ].filter(Boolean);
  const parts = [`# ${node.title?.trim() || titleOf(node)}`, meta.join(' · '), '', content];
  if (more) parts.push('', more);
  const list = (name: string, refs: LinkRef[]) =>
    refs.length
      ? [
          '',
          `## ${name}`,
          ...refs.map((r) => `- ${r.relation}: ${r.title} [${r.kind}] (helix://node/${r.id})`),
        ]
      : [];
  parts.push(...list('Links', links), ...list('Backlinks', backlinks));
  return parts.join('\n');
}
