import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { winkJson } from '../../testing/wink-fixture.js';
import { parseNumbers, parseWinkJson } from './wink-parse.js';

const dir = mkdtempSync(join(tmpdir(), 'helix-wink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseWinkJson', () => {
  const words = ['the', '"', '\\', 'naïve', 'vectors', 'a,b', '日本', 'x]'];
  const vectors = words.map((_, i) => [i * 0.5, -1e-5 * (i + 1), 1234.5678, -(i + 1) / 3]);
  const file = join(dir, 'wink.json');
  writeFileSync(file, winkJson(words, vectors, [3, 0, 7, 1, 5, 2, 6, 4]));

  it.each([1, 7, 64, 8 << 20])(
    'reads every row into its rank slot (chunks of %i bytes)',
    async (chunkBytes) => {
      const seen: number[] = [];
      const r = await parseWinkJson(file, { chunkBytes, onProgress: (n) => seen.push(n) });
      expect(r.dimensions).toBe(4);
      expect(r.words).toEqual(words);
      words.forEach((_, i) => {
        expect(Array.from(r.vectors.subarray(i * 4, i * 4 + 4))).toEqual(
          Array.from(Float32Array.from(vectors[i]!)),
        );
      });
      expect(seen.at(-1)).toBeGreaterThan(0);
    },
  );

  it('rejects files that are not in the wink layout', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"words":[]}');
    await expect(parseWinkJson(bad)).rejects.toMatchObject({ code: 'validation_error' });
    writeFileSync(bad, winkJson(words, vectors).replace('"size":8', '"size":9'));
    await expect(parseWinkJson(bad)).rejects.toThrow(/expected 9 vectors/);
  });
});

describe('parseNumbers', () => {
  it('agrees with Number() on any float the file could hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 17 }),
        (values, digits) => {
          const texts = values.map((v) => (digits === 17 ? String(v) : v.toPrecision(digits)));
          const buf = Buffer.from(texts.join(','), 'latin1');
          const out = new Float64Array(texts.length);
          expect(parseNumbers(buf, 0, buf.length, out)).toBe(texts.length);
          for (const [i, t] of texts.entries()) expect(out[i]).toBe(Number(t));
        },
      ),
      { numRuns: 500 },
    );
  });
});
