import { stopwords } from './stopwords.js';

/**
 * Turns what a person typed into a valid FTS5 expression.
 *
 * Plain text matches ANY of its words and lets BM25 rank: FTS5's default (every word required)
 * returned nothing for most natural-language queries of the test collections. Explicit syntax
 * still works: "quoted phrases", prefix*, AND / OR / NOT, parentheses and `title:` / `content:` /
 * `tags:` column filters. Whatever the input (unbalanced quotes, stray operators), the output is a
 * well-formed expression or null (nothing to search for).
 */
export interface FtsQuery {
  expression: string | null;
  mode: 'natural' | 'boolean';
  /** why the input cannot be searched as written (answered as a 400) */
  problem?: string;
  /**
   * Natural text of two or more distinct words: the same phrases joined by AND. bm25() scores a
   * note that matches it exactly as it scores that note under the OR expression.
   */
  conjunctive?: string;
  /** Natural text: its phrases as `expression` ORs them, repeats kept. */
  phrases?: string[];
}

type Token =
  | { t: 'term'; text: string; prefix: boolean; column?: string; phrase: boolean }
  | { t: 'op'; op: 'AND' | 'OR' | 'NOT' }
  | { t: 'open' }
  | { t: 'close' };

const COLUMNS = new Set(['title', 'content', 'tags']);
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const hasWordChars = (s: string) => /[\p{L}\p{N}]/u.test(s);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      const end = input.indexOf('"', i + 1);
      const text = input.slice(i + 1, end === -1 ? undefined : end);
      i = end === -1 ? input.length : end + 1;
      const prefix = input[i] === '*';
      if (prefix) i++;
      if (hasWordChars(text)) tokens.push({ t: 'term', text, prefix, phrase: true });
    } else if (ch === '(' || ch === ')') {
      tokens.push({ t: ch === '(' ? 'open' : 'close' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !/[\s"()]/.test(input[j]!)) j++;
      let word = input.slice(i, j);
      i = j;
      if (word === 'AND' || word === 'OR' || word === 'NOT') {
        tokens.push({ t: 'op', op: word });
        continue;
      }
      let column: string | undefined;
      const colon = word.indexOf(':');
      if (colon > 0 && COLUMNS.has(word.slice(0, colon).toLowerCase())) {
        column = word.slice(0, colon).toLowerCase();
        word = word.slice(colon + 1);
      }
      const prefix = word.endsWith('*');
      word = word.replace(/\*+$/, '').replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
      if (hasWordChars(word))
        tokens.push({ t: 'term', text: word, prefix, phrase: false, ...(column ? { column } : {}) });
    }
  }
  return tokens;
}

type Term = Extract<Token, { t: 'term' }>;

const render = (tok: Term) =>
  `${tok.column ? `${tok.column} : ` : ''}${quote(tok.phrase ? tok.text : tok.text.toLowerCase())}${tok.prefix ? ' *' : ''}`;

const isMeaningful = (t: Term) => t.phrase || t.prefix || t.column || !stopwords.has(t.text.toLowerCase());
/** dashes, slashes and apostrophes: "boundary-layer", "stress/strain", "biot's" */
const JOINER = /[\p{Pd}/\\'\u2019]+/u;

/**
 * A word joined by a dash, slash or apostrophe stands for its parts, each ranked on its own as the
 * baselines' analyzers do. Left whole, FTS5 reads it as a phrase and misses a note that says
 * "layer" without "boundary"; splitting gained Cranfield 0.007 nDCG@20 (bench/quality.ts).
 * Other joiners keep their word a phrase, since they mostly make names: 3.5, e.g., U.S.,
 * node.js, snake_case, user@example.com. Quoted text is never split.
 */
function splitWords(terms: Term[]): Term[] {
  return terms.flatMap((t) => {
    if (t.phrase || !JOINER.test(t.text)) return [t];
    const parts = t.text.split(JOINER).filter(hasWordChars);
    return parts.map((text, i) => ({ ...t, text, prefix: t.prefix && i === parts.length - 1 }));
  });
}

function naturalQuery(tokens: Token[]): FtsQuery {
  const terms = tokens.filter((t): t is Term => t.t === 'term');
  const meaningful = splitWords(terms).filter(isMeaningful);
  // only stop words (say "to-do"): the words as typed, a joined one still a phrase
  const chosen = meaningful.length > 0 ? meaningful : terms;
  // Repeated words stay repeated: bm25() sums per phrase, so a word the query says twice weighs
  // twice (query term frequency). Deduplicating cost CISI 0.04 P@10 and 0.03 MAP.
  const phrases = chosen.map(render);
  if (phrases.length === 0) return { expression: null, mode: 'natural' };
  return {
    expression: phrases.join(' OR '),
    mode: 'natural',
    phrases,
    ...(new Set(phrases).size > 1 ? { conjunctive: phrases.join(' AND ') } : {}),
  };
}

interface Frame {
  parts: string[];
  last: 'none' | 'operand' | 'op';
}

function addOperand(frame: Frame, text: string) {
  if (frame.last === 'operand') frame.parts.push('AND');
  frame.parts.push(text);
  frame.last = 'operand';
}

function closeFrame(frame: Frame): string | null {
  while (frame.last === 'op') {
    frame.parts.pop();
    frame.last = frame.parts.length ? 'operand' : 'none';
  }
  return frame.parts.length ? frame.parts.join(' ') : null;
}

/** Drops what cannot stand: leading, trailing or doubled operators, empty or unmatched parentheses. */
function booleanQuery(tokens: Token[]): FtsQuery {
  const stack: Frame[] = [{ parts: [], last: 'none' }];
  const top = () => stack[stack.length - 1]!;
  const close = () => {
    const inner = closeFrame(stack.pop()!);
    if (inner) addOperand(top(), `( ${inner} )`);
  };
  for (const tok of tokens) {
    if (tok.t === 'term') addOperand(top(), render(tok));
    else if (tok.t === 'op') {
      // "a AND NOT b" is how people write FTS5's binary "a NOT b"
      if (tok.op === 'NOT' && top().last === 'op' && top().parts[top().parts.length - 1] === 'AND') {
        top().parts[top().parts.length - 1] = 'NOT';
        continue;
      }
      if (tok.op === 'NOT' && top().last !== 'operand') {
        return {
          expression: null,
          mode: 'boolean',
          problem: 'NOT needs a term before it, as in "apples NOT pears"',
        };
      }
      if (top().last === 'operand') {
        top().parts.push(tok.op);
        top().last = 'op';
      }
    } else if (tok.t === 'open') stack.push({ parts: [], last: 'none' });
    else if (stack.length > 1) close();
  }
  while (stack.length > 1) close();
  return { expression: closeFrame(stack[0]!), mode: 'boolean' };
}

export function buildFtsQuery(input: string): FtsQuery {
  const tokens = tokenize(input.normalize('NFC'));
  // Parentheses alone do not make a query boolean: natural text such as "retrieval systems
  // (MEDLARS)" would otherwise require every word, stop words included, and match nothing.
  const isBoolean = tokens.some((t) => t.t === 'op');
  return isBoolean ? booleanQuery(tokens) : naturalQuery(tokens);
}
