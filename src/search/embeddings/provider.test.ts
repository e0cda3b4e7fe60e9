import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dot, l2normalize, providerId } from './provider.js';
import { contentTokens, fnv1a, stripAccents, wordTokens } from './tokenize.js';

describe('l2normalize', () => {
  it('yields unit vectors in the same direction; zero stays zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 64 }),
        (xs) => {
          const v = l2normalize(Float32Array.from(xs));
          const n = Math.sqrt(dot(v, v));
          if (xs.every((x) => Math.fround(x) === 0)) expect(n).toBe(0);
          else expect(n).toBeCloseTo(1, 4);
        },
      ),
    );
    expect(Array.from(l2normalize(Float32Array.of(3, 4)))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(l2normalize(Float32Array.of(Number.NaN, 1)))).toEqual([0, 0]);
  });

  it('names providers provider:model:dims', () => {
    expect(providerId('glove', 'sg-100d', 100)).toBe('glove:sg-100d:100');
  });
});

describe('tokenize', () => {
  it('lower-cases and splits on anything but letters and digits, keeping Unicode words', () => {
    expect(wordTokens("Don't PANIC: 42 cafés—naïve 日本")).toEqual([
      'don',
      't',
      'panic',
      '42',
      'cafés',
      'naïve',
      '日本',
    ]);
    expect(contentTokens('The cat and the hat')).toEqual(['cat', 'hat']);
    expect(stripAccents('naïve café')).toBe('naive cafe');
  });

  it('hashes with FNV-1a (pinned: changing it changes stored vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('bc', fnv1a('a'))).toBe(fnv1a('abc'));
  });
});
