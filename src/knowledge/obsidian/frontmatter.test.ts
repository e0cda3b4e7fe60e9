import { describe, expect, it } from 'vitest';
import { parseFrontmatter, splitFrontmatter } from './frontmatter.js';

describe('splitFrontmatter', () => {
  it('takes the YAML between the first two --- lines', () => {
    expect(splitFrontmatter('---\na: 1\n---\nbody\n')).toEqual({ yaml: 'a: 1', body: 'body\n' });
    expect(splitFrontmatter('---\r\na: 1\r\n---\r\nbody')).toEqual({ yaml: 'a: 1', body: 'body' });
    expect(splitFrontmatter('---\n---\nbody')).toEqual({ yaml: '', body: 'body' });
    expect(splitFrontmatter('---\na: 1\n---')).toEqual({ yaml: 'a: 1', body: '' });
  });

  it('needs the fence on the very first line, and a closing one', () => {
    expect(splitFrontmatter('\n---\na: 1\n---\nbody').yaml).toBeNull();
    expect(splitFrontmatter('---\na: 1\nno end').yaml).toBeNull();
    expect(splitFrontmatter('text\n---\n').yaml).toBeNull();
    expect(splitFrontmatter('').yaml).toBeNull();
  });
});

describe('parseFrontmatter', () => {
  it('parses YAML properties, dates staying strings', () => {
    const fm = parseFrontmatter('---\ntags: [a, b]\ncreated: 2024-01-02\nn: 3\n---\n# Hi');
    expect(fm.data).toEqual({ tags: ['a', 'b'], created: '2024-01-02', n: 3 });
    expect(fm.body).toBe('# Hi');
    expect(fm.error).toBeUndefined();
  });

  it('keeps the raw text and the reason when the YAML does not parse', () => {
    const fm = parseFrontmatter('---\na: [unclosed\n---\nbody');
    expect(fm.data).toEqual({});
    expect(fm.body).toBe('body');
    expect(fm.raw).toBe('a: [unclosed');
    expect(fm.error).toBeTruthy();
  });

  it('refuses frontmatter that is not a map', () => {
    expect(parseFrontmatter('---\n- a\n- b\n---\nbody').error).toMatch(/not a key/);
    expect(parseFrontmatter('---\n# only a comment\n---\nbody')).toEqual({ data: {}, body: 'body' });
  });

  it('makes the properties plain JSON', () => {
    expect(parseFrontmatter('---\nx: .nan\n---\n').data).toEqual({ x: null });
  });
});
