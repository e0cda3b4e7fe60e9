import { describe, expect, it } from 'vitest';
import { frontmatterTags, inlineTags, uniqueTags } from './tags.js';

describe('inlineTags', () => {
  it('finds #tags and nested #a/b tags', () => {
    expect(inlineTags('#start and #mid, (#paren) #a/b/c #ünï-cödé_1\n#next').tags).toEqual([
      'start',
      'mid',
      'a/b/c',
      'ünï-cödé_1',
      'next',
    ]);
  });

  it('skips headings, URL fragments, anchors and all-digit tags', () => {
    expect(inlineTags('# Title\n## Sub\nsee https://x.org/#frag and a#b and #1984 but #y1984').tags).toEqual([
      'y1984',
    ]);
  });

  it('ends a tag at punctuation and trims slashes', () => {
    expect(inlineTags('#done. #tag; #x/').tags).toEqual(['done', 'tag', 'x']);
  });
});

describe('frontmatterTags', () => {
  it('reads a list, with or without #; a number alone is no tag', () => {
    expect(frontmatterTags(['a', '#b', 'c/d', 42, 'v2']).tags).toEqual(['a', 'b', 'c/d', 'v2']);
  });

  it('reads one string split on commas and spaces', () => {
    expect(frontmatterTags('one, two #three  four').tags).toEqual(['one', 'two', 'three', 'four']);
  });

  it('ignores empty values and what is not text', () => {
    expect(frontmatterTags(null).tags).toEqual([]);
    expect(frontmatterTags([{ a: 1 }, '', '#']).tags).toEqual([]);
  });

  it('reports tags Helix cannot store', () => {
    const long = 'x'.repeat(200);
    expect(frontmatterTags([long, 'ok'])).toEqual({ tags: ['ok'], invalid: [long] });
  });
});

describe('uniqueTags', () => {
  it('keeps the first spelling, case-insensitively', () => {
    expect(
      uniqueTags([
        ['Tag', 'a'],
        ['TAG', 'b', 'A'],
      ]),
    ).toEqual(['Tag', 'a', 'b']);
  });
});
