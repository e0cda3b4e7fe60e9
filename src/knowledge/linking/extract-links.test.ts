import { describe, expect, it } from 'vitest';
import { extractLinks } from './extract-links.js';

const keys = (s: string) => extractLinks(s).map((r) => `${r.via} ${r.key}`);

describe('extractLinks', () => {
  it('finds wiki links, markdown links, mentions and URLs', () => {
    expect(
      keys(
        'See [[Target Title]], [[Other|alias]], [[Deep#Heading]] and [label](Another%20Note.md). Ask @Project-X or @"Team Lead". Source https://example.com/a.',
      ),
    ).toEqual([
      'wikilink title:target title',
      'wikilink title:other',
      'wikilink title:deep',
      'markdown title:another note',
      'mention title:team lead',
      'mention slug:project-x',
      'url url:https://example.com/a',
    ]);
  });

  it('ignores code, e-mail addresses, external and anchor markdown links', () => {
    expect(
      keys('`[[not]]`\n```\n[[nor]] @this\n```\nmail me@example.org [x](https://a.b) [y](#top)'),
    ).toEqual(['url url:https://a.b']);
  });

  it('counts each target once and stops at the limit', () => {
    expect(extractLinks('[[A]] [[a]] [[B]] [[C]]', 2).map((r) => r.key)).toEqual(['title:a', 'title:b']);
  });
});
