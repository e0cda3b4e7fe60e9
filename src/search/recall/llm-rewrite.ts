import type { Complete } from './llm.js';

/**
 * Query rewrites that ask a language model. Each prompt asks for a small, plain answer, and each
 * parser accepts what models actually return (a JSON array, a numbered list or lines), so a
 * chatty model still yields usable queries; nothing it says is ever executed as FTS5 syntax.
 */

const MAX_QUERY_CHARS = 500;

/** Strips list markers, quotes and FTS5 operators from one line a model wrote. */
function clean(line: string): string {
  return line
    .replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '')
    .replace(/["*():^]/g, ' ')
    .replace(/\b(?:AND|OR|NOT|NEAR)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_QUERY_CHARS);
}

/** A JSON array of strings if the text holds one, else its non-empty lines. */
export function parseList(text: string, max: number): string[] {
  const json = /\[[\s\S]*\]/.exec(text);
  let items: string[] = [];
  if (json) {
    try {
      const parsed: unknown = JSON.parse(json[0]);
      if (Array.isArray(parsed)) items = parsed.filter((x): x is string => typeof x === 'string');
    } catch {
      // not JSON after all: read it line by line
    }
  }
  if (items.length === 0) items = text.split(/\r?\n|,(?=\s)/);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const c = clean(item);
    if (c && !seen.has(c.toLowerCase())) {
      seen.add(c.toLowerCase());
      out.push(c);
    }
    if (out.length === max) break;
  }
  return out;
}

/** Up to `max` words or short phrases that mean what the query means (synonyms, related terms). */
export async function llmExpansion(complete: Complete, query: string, max = 6): Promise<string[]> {
  const text = await complete(
    `List up to ${max} search terms (synonyms or closely related words) that would find notes about this query. ` +
      `Answer with a JSON array of strings and nothing else.\nQuery: ${query}`,
    { maxTokens: 120 },
  );
  const said = new Set(query.toLowerCase().split(/\s+/));
  return parseList(text, max).filter((t) => !said.has(t.toLowerCase()));
}

/** Two to four self-contained sub-questions whose answers together answer the query. */
export async function llmDecomposition(complete: Complete, query: string): Promise<string[]> {
  const text = await complete(
    'Split this question into 2 to 4 short, self-contained search queries, one per aspect. ' +
      `Answer with a JSON array of strings and nothing else.\nQuestion: ${query}`,
    { maxTokens: 200 },
  );
  return parseList(text, 4);
}

/** HyDE: a short passage that would answer the query, embedded in place of the query itself. */
export async function llmHypotheticalDocument(complete: Complete, query: string): Promise<string> {
  const text = await complete(
    `Write a short factual passage (3 to 5 sentences) that answers this question, as a note in a knowledge base would.\nQuestion: ${query}`,
    { maxTokens: 250 },
  );
  return text.trim().slice(0, 2000);
}
