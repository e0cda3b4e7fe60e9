import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Qrels } from './metrics.js';

export const IR_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'ir');

export interface Collection {
  name: string;
  docs: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  qrels: Map<string, Qrels>;
}

const jsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

export function loadCollection(name: string, dir = IR_DIR): Collection | undefined {
  const base = join(dir, name);
  if (!existsSync(join(base, 'corpus.jsonl'))) return undefined;
  const qrels = new Map<string, Qrels>();
  for (const line of readFileSync(join(base, 'qrels.tsv'), 'utf8').split('\n').slice(1)) {
    const [q, d, s] = line.trim().split('\t');
    if (!q || !d || s === undefined) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, Number(s));
  }
  return {
    name,
    docs: jsonl<{ id: string; title?: string; text: string }>(join(base, 'corpus.jsonl')).map((d) => ({
      id: String(d.id),
      title: d.title ?? '',
      text: d.text,
    })),
    queries: jsonl<{ id: string; text: string }>(join(base, 'queries.jsonl')).map((q) => ({
      id: String(q.id),
      text: q.text,
    })),
    qrels,
  };
}
