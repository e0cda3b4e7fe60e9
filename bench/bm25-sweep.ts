// How far BM25's parameters can move the full-text figures on the IR collections: BM25 computed in
// JS over FTS5's own Porter tokens (fts5vocab), for several k1 / b / title weights and both IDF
// forms, next to FTS5's native bm25() (fixed k1 1.2, b 0.75) with Helix's query builder.
// Run: node --import tsx bench/bm25-sweep.ts [cranfield cisi adi]
import Database from 'better-sqlite3';
import { buildFtsQuery } from '../src/search/fulltext/query.js';
import { stopwords } from '../src/search/fulltext/stopwords.js';
import { loadCollection } from './ir/collections.js';
import { type Scores, scoreRun } from './ir/metrics.js';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['cranfield', 'cisi', 'adi'];
const grid: [number, number, number, 'fts5' | 'lucene'][] = [
  [1.2, 0.75, 10, 'fts5'],
  [1.2, 0.75, 1, 'fts5'],
  [1.2, 0.75, 10, 'lucene'],
  [0.9, 0.4, 10, 'lucene'],
  [1.5, 0.75, 10, 'lucene'],
  [2.0, 0.75, 10, 'lucene'],
  [1.2, 0.9, 10, 'lucene'],
];
const fmt = (s: Scores) => [s.ndcg10, s.ndcg20Binary, s.map, s.p10].map((v) => v.toFixed(3)).join(' | ');
const TOKENIZER = "tokenize='porter unicode61 remove_diacritics 2'";

console.log(
  '| collection | scorer | k1 | b | title weight | idf | nDCG@10 | nDCG@20 (binary) | MAP@100 | P@10 |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const name of names) {
  const c = loadCollection(name);
  if (!c) continue;
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE d USING fts5(title, body, ${TOKENIZER});
    CREATE VIRTUAL TABLE dv USING fts5vocab(d, 'instance');
    CREATE VIRTUAL TABLE q USING fts5(t, ${TOKENIZER});
    CREATE VIRTUAL TABLE qv USING fts5vocab(q, 'instance');`);
  const addDoc = db.prepare('INSERT INTO d(rowid, title, body) VALUES (?, ?, ?)');
  c.docs.forEach((d, i) => {
    addDoc.run(i + 1, d.title, d.text);
  });
  const addQuery = db.prepare('INSERT INTO q(rowid, t) VALUES (?, ?)');
  c.queries.forEach((q, i) => {
    const words = q.text.split(/\s+/).filter((w) => !stopwords.has(w.toLowerCase().replace(/[^a-z]/g, '')));
    addQuery.run(i + 1, words.join(' '));
  });
  const N = c.docs.length;
  const tf = c.docs.map(() => [new Map<string, number>(), new Map<string, number>()] as const);
  const len = c.docs.map(() => [0, 0]);
  for (const r of db.prepare('SELECT term, doc, col FROM dv').iterate() as Iterable<{
    term: string;
    doc: number;
    col: string;
  }>) {
    const col = r.col === 'title' ? 0 : 1;
    tf[r.doc - 1]![col].set(r.term, (tf[r.doc - 1]![col].get(r.term) ?? 0) + 1);
    len[r.doc - 1]![col]!++;
  }
  const terms: string[][] = c.queries.map(() => []);
  for (const r of db.prepare('SELECT term, doc FROM qv ORDER BY doc, offset').iterate() as Iterable<{
    term: string;
    doc: number;
  }>)
    terms[r.doc - 1]!.push(r.term);
  const df = new Map<string, number>();
  for (const [title, body] of tf)
    for (const t of new Set([...title.keys(), ...body.keys()])) df.set(t, (df.get(t) ?? 0) + 1);
  // FTS5's document length is all columns, unweighted; its average is over the table
  const dl = len.map(([t, b]) => t! + b!);
  const avgdl = dl.reduce((a, x) => a + x, 0) / N;

  for (const [k1, b, titleWeight, idfForm] of grid) {
    const ranked = new Map<string, string[]>();
    c.queries.forEach((q, qi) => {
      const scores = new Float64Array(N);
      for (const t of terms[qi]!) {
        const n = df.get(t);
        if (!n) continue;
        const ratio = (N - n + 0.5) / (n + 0.5);
        const idf = idfForm === 'lucene' ? Math.log(1 + ratio) : Math.max(1e-6, Math.log(ratio));
        for (let d = 0; d < N; d++) {
          const f = titleWeight * (tf[d]![0].get(t) ?? 0) + (tf[d]![1].get(t) ?? 0);
          if (f) scores[d]! += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * dl[d]!) / avgdl));
        }
      }
      const top = [...scores.keys()]
        .filter((i) => scores[i]! > 0)
        .sort((x, y) => scores[y]! - scores[x]!)
        .slice(0, 100);
      ranked.set(
        q.id,
        top.map((i) => c.docs[i]!.id),
      );
    });
    console.log(
      `| ${name} | JS BM25 | ${k1} | ${b} | ${titleWeight} | ${idfForm} | ${fmt(scoreRun(ranked, c.qrels))} |`,
    );
  }
  const native = db.prepare('SELECT rowid FROM d WHERE d MATCH ? ORDER BY bm25(d, 10, 1) LIMIT 100');
  const ranked = new Map<string, string[]>();
  for (const q of c.queries) {
    const e = buildFtsQuery(q.text).expression;
    ranked.set(q.id, e ? (native.all(e) as { rowid: number }[]).map((r) => c.docs[r.rowid - 1]!.id) : []);
  }
  console.log(
    `| ${name} | FTS5 bm25() + Helix query | 1.2 | 0.75 | 10 | fts5 | ${fmt(scoreRun(ranked, c.qrels))} |`,
  );
}
