import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashEmbedder, hashEmbed } from './hash.js';
import { dot } from './provider.js';

describe('HashEmbedder', () => {
  const h = new HashEmbedder(256);

  it('is deterministic, unit length and sized as configured', async () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const a = hashEmbed(text, 64);
        expect(a).toHaveLength(64);
        expect(Array.from(hashEmbed(text, 64))).toEqual(Array.from(a));
        const norm = Math.sqrt(dot(a, a));
        expect(norm === 0 || Math.abs(norm - 1) < 1e-5).toBe(true);
      }),
    );
    expect(h.id).toBe('hash:fnv1a-ngram:256');
    // pinned values: stored vectors must not change between releases
    expect(Array.from(hashEmbed('hello world', 8)).map((x) => Number(x.toFixed(4)))).toEqual([
      0, 0.6667, 0, 0, -0.3333, 0, -0.6667, 0,
    ]);
  });

  it('scores shared words and phrases above unrelated text', async () => {
    const [a, b, c] = await h.embed([
      'quarterly budget review',
      'review of the quarterly budget',
      'walking the dog in the park',
    ]);
    expect(dot(a!, b!)).toBeGreaterThan(0.5);
    expect(Math.abs(dot(a!, c!))).toBeLessThan(0.3);
  });

  it('gives the zero vector for text without content words and rejects bad dimensions', () => {
    expect(Array.from(hashEmbed('the of and', 4))).toEqual([0, 0, 0, 0]);
    expect(() => new HashEmbedder(0)).toThrow(/dimensions/);
  });
});
