import { describe, expect, it } from 'vitest';
import { extractLinks } from './links.js';

const links = (text: string) => extractLinks(text).links;

describe('extractLinks: wikilinks', () => {
  it('reads targets, aliases, headings and block refs', () => {
    expect(
      links('[[Note]] [[Note|shown]] [[Note#Part two]] [[Note#^abc123]] [[Folder/Note.md#H|a]]'),
    ).toEqual([
      { target: 'Note', embed: false },
      { target: 'Note', alias: 'shown', embed: false },
      { target: 'Note', heading: 'Part two', embed: false },
      { target: 'Note', block: 'abc123', embed: false },
      { target: 'Folder/Note.md', heading: 'H', alias: 'a', embed: false },
    ]);
  });

  it('reads links into the same note', () => {
    expect(links('[[#Heading]] [[#^blk]]')).toEqual([
      { target: '', heading: 'Heading', embed: false },
      { target: '', block: 'blk', embed: false },
    ]);
  });

  it('reads embeds, with their subpath and size', () => {
    expect(links('![[Other note]] ![[pic.png|100x200]] ![[doc.pdf#page=3]]')).toEqual([
      { target: 'Other note', embed: true },
      { target: 'pic.png', alias: '100x200', embed: true },
      { target: 'doc.pdf', heading: 'page=3', embed: true },
    ]);
  });

  it('reads the escaped pipe of a table cell', () => {
    expect(links('| [[Note\\|alias]] |')).toEqual([{ target: 'Note', alias: 'alias', embed: false }]);
  });

  it('skips empty links', () => {
    expect(links('[[]] [[ ]] [[|x]]')).toEqual([]);
  });
});

describe('extractLinks: Markdown links', () => {
  it('reads links to notes, decoding the path and heading', () => {
    expect(links('[Three](Three%20laws%20of%20motion.md) [D](Folder/Example.md#Some%20details)')).toEqual([
      { target: 'Three laws of motion.md', alias: 'Three', embed: false, markdown: true },
      { target: 'Folder/Example.md', heading: 'Some details', alias: 'D', embed: false, markdown: true },
    ]);
  });

  it('reads <angle bracket> destinations, titles and images', () => {
    expect(links('[x](<My Note.md> "title") ![alt](img/a.png)')).toEqual([
      { target: 'My Note.md', alias: 'x', embed: false, markdown: true },
      { target: 'img/a.png', alias: 'alt', embed: true, markdown: true },
    ]);
  });

  it('ignores external links', () => {
    expect(
      links('[a](https://x.org/a.md) [b](mailto:a@b.c) [c](obsidian://open?file=X) [d](<https://x.org/>)'),
    ).toEqual([]);
  });

  it('reads [text](#heading) as a link into the same note', () => {
    expect(links('[see](#Setup)')).toEqual([
      { target: '', heading: 'Setup', alias: 'see', embed: false, markdown: true },
    ]);
  });
});

describe('extractLinks: rest', () => {
  it('blanks the links so a # inside one is not read as a tag', () => {
    const { rest } = extractLinks('a [[Note#Head]] b [x](Y.md#z) #real');
    expect(rest).not.toContain('#Head');
    expect(rest).not.toContain('#z');
    expect(rest).toContain('#real');
    expect(rest).toHaveLength('a [[Note#Head]] b [x](Y.md#z) #real'.length);
  });
});
