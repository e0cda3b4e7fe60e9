import { describe, expect, it } from 'vitest';
import { LinkResolver } from './resolve-link.js';

const vault = {
  notes: [
    'Home.md',
    'Ideas/Deep/Home.md',
    'Ideas/Plan.md',
    'Projects/Plan.md',
    'Projects/Alpha/Spec.md',
    'Zoë.md',
    'Version 1.0.md',
  ],
  attachments: ['img/chart.png', 'docs/Report.pdf', 'Projects/Alpha/chart.png'],
};

describe('LinkResolver', () => {
  const r = new LinkResolver(vault);
  r.addAliases('Projects/Alpha/Spec.md', ['Specification', 'The Spec']);

  it('finds a note by name, case-insensitively, the shortest path winning', () => {
    expect(r.resolve('home', 'Ideas/Plan.md')).toEqual({ type: 'note', path: 'Home.md' });
    expect(r.resolve('Spec', 'Home.md')).toEqual({ type: 'note', path: 'Projects/Alpha/Spec.md' });
    expect(r.resolve('Spec.md', 'Home.md')).toEqual({ type: 'note', path: 'Projects/Alpha/Spec.md' });
    expect(r.resolve('Version 1.0', 'Home.md')).toEqual({ type: 'note', path: 'Version 1.0.md' });
  });

  it('prefers the note in the linking note’s own folder', () => {
    expect(r.resolve('Plan', 'Projects/Alpha/Spec.md')).toEqual({ type: 'note', path: 'Ideas/Plan.md' });
    expect(r.resolve('Plan', 'Projects/Other.md')).toEqual({ type: 'note', path: 'Projects/Plan.md' });
    expect(r.resolve('./Plan', 'Projects/Other.md')).toEqual({ type: 'note', path: 'Projects/Plan.md' });
    expect(r.resolve('../Ideas/Plan.md', 'Projects/Other.md')).toEqual({
      type: 'note',
      path: 'Ideas/Plan.md',
    });
  });

  it('finds a note by vault path or path suffix, with or without .md', () => {
    expect(r.resolve('Projects/Plan', 'Home.md')).toEqual({ type: 'note', path: 'Projects/Plan.md' });
    expect(r.resolve('/Ideas/Plan.md', 'Projects/Plan.md')).toEqual({ type: 'note', path: 'Ideas/Plan.md' });
    expect(r.resolve('Deep/Home', 'Projects/Plan.md')).toEqual({ type: 'note', path: 'Ideas/Deep/Home.md' });
    expect(r.resolve('Alpha/Spec.md', 'Home.md')).toEqual({ type: 'note', path: 'Projects/Alpha/Spec.md' });
  });

  it('finds a note by alias, after names', () => {
    expect(r.resolve('the spec', 'Home.md')).toEqual({ type: 'note', path: 'Projects/Alpha/Spec.md' });
  });

  it('finds attachments by name or path, nearest folder first', () => {
    expect(r.resolve('Report.pdf', 'Home.md')).toEqual({ type: 'attachment', path: 'docs/Report.pdf' });
    expect(r.resolve('chart.png', 'Home.md')).toEqual({ type: 'attachment', path: 'img/chart.png' });
    expect(r.resolve('chart.png', 'Projects/Alpha/Spec.md')).toEqual({
      type: 'attachment',
      path: 'Projects/Alpha/chart.png',
    });
  });

  it('treats composed and decomposed accents alike', () => {
    expect(r.resolve('Zoe\u0308', 'Home.md')).toEqual({ type: 'note', path: 'Zoë.md' });
  });

  it('calls a link into the same note self, and an unknown one missing', () => {
    expect(r.resolve('', 'Home.md')).toEqual({ type: 'self' });
    expect(r.resolve('Home', 'Home.md')).toEqual({ type: 'self' });
    expect(r.resolve('Nowhere', 'Home.md')).toEqual({ type: 'missing' });
    expect(r.resolve('../../Home', 'Home.md')).toEqual({ type: 'missing' });
    expect(r.resolve('Plan.png', 'Home.md')).toEqual({ type: 'missing' });
  });
});
