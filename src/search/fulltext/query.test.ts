import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFtsQuery } from './query.js';

const db = new BetterSqlite3(':memory:');
db.exec(
  `CREATE VIRTUAL TABLE t USING fts5(title, content, tags, tokenize = 'porter unicode61 remove_diacritics 2')`,
);
db.prepare('INSERT INTO t VALUES (?, ?, ?)').run(
  'Heat flow',
  'supersonic boundary layer heat transfer',
  'physics',
);
const run = (expr: string) => db.prepare('SELECT rowid FROM t WHERE t MATCH ?').all(expr);

describe('buildFtsQuery', () => {
  it('turns plain text into an OR of its meaningful words', () => {
    expect(buildFtsQuery('what are the effects of heat').expression).toBe('"effects" OR "heat"');
    expect(buildFtsQuery('the').expression).toBe('"the"');
    expect(run(buildFtsQuery('heat nonexistentword').expression!)).toHaveLength(1);
  });

  it('keeps phrases, prefixes, column filters and boolean operators', () => {
    expect(buildFtsQuery('"boundary layer" super*').expression).toBe('"boundary layer" OR "super" *');
    expect(buildFtsQuery('heat AND NOT cold').expression).toBe('"heat" NOT "cold"');
    expect(buildFtsQuery('heat OR NOT cold').problem).toMatch(/NOT needs a term/);
    expect(buildFtsQuery('heat NOT cold').expression).toBe('"heat" NOT "cold"');
    expect(buildFtsQuery('title:heat').expression).toBe('title : "heat"');
    expect(run(buildFtsQuery('heat AND (cold OR supersonic)').expression!)).toHaveLength(1);
    expect(run(buildFtsQuery('heat NOT supersonic').expression!)).toHaveLength(0);
  });

  it('repairs stray operators and unbalanced quotes or parentheses', () => {
    expect(buildFtsQuery('heat AND').expression).toBe('"heat"');
    expect(buildFtsQuery('(heat OR flow').expression).toBe('( "heat" OR "flow" )');
    expect(buildFtsQuery('"unclosed phrase').expression).toBe('"unclosed phrase"');
    expect(buildFtsQuery('((()))').expression).toBeNull();
    expect(buildFtsQuery('*** --- !!!').expression).toBeNull();
  });

  it('reads parentheses in plain text as punctuation, not as a boolean query', () => {
    // a CISI query: as a boolean query it required every word, stop words too, and matched nothing
    const q = buildFtsQuery('what are the aims of the medical literature analysis system (MEDLARS)');
    expect(q.mode).toBe('natural');
    expect(q.expression).toBe('"aims" OR "medical" OR "literature" OR "analysis" OR "system" OR "medlars"');
    expect(run(buildFtsQuery('the heat (of it)').expression!)).toHaveLength(1);
  });

  it('splits words joined by dashes, slashes and apostrophes; other joined words stay phrases', () => {
    expect(buildFtsQuery('boundary-layer flow').expression).toBe('"boundary" OR "layer" OR "flow"');
    expect(buildFtsQuery("state-of-the-art biot's principle").expression).toBe(
      '"state" OR "art" OR "biot" OR "principle"',
    );
    expect(buildFtsQuery('non-lin* x-15').expression).toBe('"non" OR "lin" * OR "x" OR "15"');
    expect(buildFtsQuery('stress/strain version 3.5').expression).toBe(
      '"stress" OR "strain" OR "version" OR "3.5"',
    );
    expect(buildFtsQuery('U.S. node.js e.g.').expression).toBe('"u.s" OR "node.js" OR "e.g"');
    expect(buildFtsQuery('"boundary-layer" heat').expression).toBe('"boundary-layer" OR "heat"');
    expect(buildFtsQuery('to-do').expression).toBe('"to-do"');
    // boolean queries keep FTS5's reading: a joined word is a phrase
    expect(buildFtsQuery('boundary-layer AND heat').expression).toBe('"boundary-layer" AND "heat"');
    // the parts written apart match, which the phrase "boundary layer" alone would also do, and
    // "layer" alone matches too
    expect(run(buildFtsQuery('layer-cake').expression!)).toHaveLength(1);
  });

  it('refuses a leading NOT instead of inverting its meaning', () => {
    expect(buildFtsQuery('NOT heat').problem).toMatch(/NOT needs a term before it/);
  });

  it('never produces an expression FTS5 rejects, whatever the input', () => {
    const alphabet = fc.constantFrom(
      ...'ab "()*:-NOTANDOR^+\'é漢\t'.split(''),
      'AND',
      'OR',
      'NOT',
      'NEAR',
      'title:',
      'tags:',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet, { maxLength: 20 }).map((a) => a.join('')),
        ),
        (input) => {
          const q = buildFtsQuery(input);
          if (q.expression) expect(() => run(q.expression!)).not.toThrow();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
