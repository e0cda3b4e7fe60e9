import { describe, expect, it } from 'vitest';
import { maskCode } from './mask-code.js';

describe('maskCode', () => {
  it('blanks fenced blocks, keeping length and line breaks', () => {
    const text = 'before [[A]]\n```md\n[[B]] #tag\n```\nafter [[C]]';
    const masked = maskCode(text);
    expect(masked).toHaveLength(text.length);
    expect(masked.split('\n')).toHaveLength(text.split('\n').length);
    expect(masked).toContain('[[A]]');
    expect(masked).toContain('[[C]]');
    expect(masked).not.toContain('[[B]]');
    expect(masked).not.toContain('#tag');
  });

  it('handles ~~~ fences, longer closing fences and fences inside callouts', () => {
    expect(maskCode('~~~\n[[X]]\n~~~~\n[[Y]]')).not.toContain('[[X]]');
    expect(maskCode('~~~\n[[X]]\n~~~~\n[[Y]]')).toContain('[[Y]]');
    const callout = '> [!note]\n> ```css\n> color: #ff0000;\n> ```\n> [[Z]]';
    expect(maskCode(callout)).not.toContain('#ff0000');
    expect(maskCode(callout)).toContain('[[Z]]');
  });

  it('does not let a shorter or different fence close the block', () => {
    const masked = maskCode('````\n```\n[[In]]\n````\n[[Out]]');
    expect(masked).not.toContain('[[In]]');
    expect(masked).toContain('[[Out]]');
    expect(maskCode('```\n~~~\n[[In]]\n```')).not.toContain('[[In]]');
  });

  it('runs an unclosed fence to the end of the note', () => {
    expect(maskCode('[[A]]\n```\n[[B]]')).toBe('[[A]]\n   \n     ');
  });

  it('blanks inline code of any backtick count, but not across a blank line', () => {
    const blanks = (s: string) => ' '.repeat(s.length);
    expect(maskCode('see `[[A]]` and ``a ` [[B]]`` and [[C]]')).toBe(
      `see ${blanks('`[[A]]`')} and ${blanks('``a ` [[B]]``')} and [[C]]`,
    );
    expect(maskCode('a `stray\n\n[[B]]` b')).toContain('[[B]]');
    expect(maskCode('```js``` [[A]]')).toContain('[[A]]');
  });

  it('blanks %% comments %% and HTML comments', () => {
    const masked = maskCode('x %%[[A]]\n#t%% y <!-- [[B]] --> [[C]]');
    expect(masked).not.toContain('[[A]]');
    expect(masked).not.toContain('#t');
    expect(masked).not.toContain('[[B]]');
    expect(masked).toContain('[[C]]');
  });

  it('leaves text without code alone', () => {
    const text = 'plain [[Note]] #tag';
    expect(maskCode(text)).toBe(text);
  });
});
