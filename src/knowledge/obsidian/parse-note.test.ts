import { describe, expect, it } from 'vitest';
import { parseNote } from './parse-note.js';

const NOTE = `---
tags: [project, "#status/active"]
aliases:
  - The Plan
  - plan
kind: decision
owner: ana
---

# Plan

Links to [[Budget]] and [[Budget#Q1|the first quarter]]. #urgent

\`\`\`js
// [[Not a link]] #not-a-tag
\`\`\`

![[chart.png]]
`;

describe('parseNote', () => {
  it('turns a note into title, content, kind, tags, aliases and links', () => {
    const note = parseNote('Work/Plans/Plan.md', NOTE);
    expect(note).toMatchObject({
      path: 'Work/Plans/Plan.md',
      title: 'Plan',
      folder: 'Work/Plans',
      kind: 'decision',
      tags: ['project', 'status/active', 'urgent'],
      aliases: ['The Plan', 'plan'],
      frontmatter: { owner: 'ana' },
      headings: [{ level: 1, text: 'Plan' }],
    });
    expect(note.content.startsWith('# Plan\n')).toBe(true);
    expect(note.content).toContain('[[Not a link]]');
    expect(note.links.map((l) => l.target)).toEqual(['Budget', 'Budget', 'chart.png']);
    expect(note.links[1]).toMatchObject({ heading: 'Q1', alias: 'the first quarter' });
    expect(note.links[2]).toMatchObject({ embed: true });
  });

  it('is a fact, with the unknown kind kept in the frontmatter', () => {
    const note = parseNote('a.md', '---\nkind: recipe\n---\nx');
    expect(note.kind).toBe('fact');
    expect(note.frontmatter).toEqual({ kind: 'recipe' });
  });

  it('reads the older tag / alias keys and a comma-separated aliases string', () => {
    const note = parseNote('a.md', '---\ntag: one two\nalias: A, B\n---\n');
    expect(note.tags).toEqual(['one', 'two']);
    expect(note.aliases).toEqual(['A', 'B']);
    expect(note.frontmatter).toEqual({});
  });

  it('keeps a note without frontmatter whole', () => {
    const note = parseNote('Root note.md', 'Just text #idea');
    expect(note).toMatchObject({
      title: 'Root note',
      folder: '',
      content: 'Just text #idea',
      tags: ['idea'],
    });
  });

  it('records frontmatter that does not parse, and still strips it', () => {
    const note = parseNote('a.md', '---\nx: [\n---\nbody');
    expect(note.content).toBe('body');
    expect(note.frontmatterError).toMatchObject({ raw: 'x: [' });
  });

  it('lists the tags it had to drop', () => {
    const note = parseNote('a.md', `---\ntags: ["${'t'.repeat(150)}"]\n---\n`);
    expect(note.tags).toEqual([]);
    expect(note.invalidTags).toHaveLength(1);
  });
});
