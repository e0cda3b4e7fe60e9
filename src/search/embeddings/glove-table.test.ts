import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GloveTable, encodeGloveTable, readGloveHeader, writeGloveTable } from './glove-table.js';

const dir = mkdtempSync(join(tmpdir(), 'helix-glove-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random rows (LCG), so failures reproduce. */
function rows(n: number, dims: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * dims }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

describe('GloveTable', () => {
  it('finds every word exactly and nothing else', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.string(),
        (words, probe) => {
          const t = GloveTable.fromBuffer(
            encodeGloveTable({ dimensions: 3, words, vectors: rows(words.length, 3) }),
          );
          words.forEach((w, i) => {
            expect(t.lookup(w)).toBe(i);
            expect(t.word(i)).toBe(w);
          });
          expect(t.lookup(probe)).toBe(words.indexOf(probe));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps int8-quantized rows within 0.5 % of the original direction', () => {
    const dims = 100;
    const src = rows(500, dims, 7);
    const t = GloveTable.fromBuffer(
      encodeGloveTable({
        dimensions: dims,
        words: Array.from({ length: 500 }, (_, i) => String(i)),
        vectors: src,
      }),
    );
    for (let r = 0; r < 500; r++) {
      const a = src.subarray(r * dims, (r + 1) * dims);
      const b = t.row(r);
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let d = 0; d < dims; d++) {
        dot += a[d]! * b[d]!;
        na += a[d]! ** 2;
        nb += b[d]! ** 2;
      }
      expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.995);
      expect(Math.sqrt(nb / na)).toBeCloseTo(1, 2);
    }
  });

  it('writes atomically and reads its header back', () => {
    const path = join(dir, 'ok.bin');
    const bytes = writeGloveTable(path, {
      dimensions: 2,
      words: ['a', 'b'],
      vectors: Float32Array.of(1, 0, 0, 1),
      flags: 3,
    });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readGloveHeader(path)).toMatchObject({ version: 1, dimensions: 2, size: 2, flags: 3, bytes });
    const t = GloveTable.load(path);
    expect(Array.from(t.row(t.lookup('b')))).toEqual([0, 1]);
  });

  it('refuses truncated, foreign or older files with a HelixError naming the fix', () => {
    const good = readFileSync(join(dir, 'ok.bin'));
    const truncated = join(dir, 'truncated.bin');
    writeFileSync(truncated, good.subarray(0, good.length - 1));
    expect(readGloveHeader(truncated)).toBeUndefined();
    expect(() => GloveTable.load(truncated)).toThrow(/delete it to rebuild/);
    const foreign = join(dir, 'foreign.bin');
    writeFileSync(foreign, Buffer.from('{"precision":8}'));
    expect(() => GloveTable.load(foreign)).toThrow(/not a table/);
    const old = Buffer.from(good);
    old.writeUInt32LE(0, 8);
    expect(() => GloveTable.fromBuffer(old)).toThrow(/format 0/);
    expect(readGloveHeader(join(dir, 'absent.bin'))).toBeUndefined();
  });
});
