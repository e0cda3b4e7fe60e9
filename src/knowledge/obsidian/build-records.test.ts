import { describe, expect, it } from 'vitest';
import { stableId } from '../../core/ids.js';
import { ExportRecord } from '../transfer/format.js';
import { EdgeCollector, embedOf, noteId, noteRecord } from './build-records.js';
import { parseNote } from './parse-note.js';

describe('noteRecord', () => {
  const note = parseNote('Dir/My note.md', '---\ntags: [x]\naliases: [Mine]\nstatus: draft\n---\nHello #y');

  it('builds a valid export record with a stable id', () => {
    const record = noteRecord(note, { namespace: 'vault', embeds: [], attachmentLinks: [] });
    expect(ExportRecord.parse(record)).toMatchObject({
      type: 'node',
      id: stableId('obsidian:vault:Dir/My note.md'),
      kind: 'fact',
      title: 'My note',
      content: 'Hello #y',
      source: 'obsidian://Dir/My note.md',
      namespace: 'vault',
      tags: ['x', 'y'],
      metadata: {
        obsidian: {
          path: 'Dir/My note.md',
          folder: 'Dir',
          frontmatter: { status: 'draft' },
          aliases: ['Mine'],
          embeds: [],
          headings: [],
        },
      },
    });
  });

  it('leaves the namespace out when none is given, ids falling back to the default one', () => {
    const record = noteRecord(note, { embeds: [], attachmentLinks: [] });
    expect(record).not.toHaveProperty('namespace');
    expect(record.id).toBe(noteId('default', 'Dir/My note.md'));
  });
});

describe('embedOf', () => {
  it('keeps the subpath and the display part', () => {
    expect(embedOf({ target: 'a.pdf', heading: 'page=2', alias: '300', embed: true }, 'x/a.pdf')).toEqual({
      target: 'a.pdf',
      path: 'x/a.pdf',
      subpath: 'page=2',
      display: '300',
    });
  });
});

describe('EdgeCollector', () => {
  const a = noteId('default', 'A.md');
  const b = noteId('default', 'B.md');
  const c = noteId('default', 'C.md');

  it('folds every link between two notes into one edge listing them all', () => {
    const edges = new EdgeCollector();
    edges.add(a, b, { target: 'B', embed: false });
    edges.add(a, b, { target: 'B', heading: 'Intro', alias: 'see', embed: false });
    edges.add(a, b, { target: 'B', embed: false });
    edges.add(a, b, { target: 'B', block: 'x1', embed: true });
    edges.add(b, a, { target: 'A', heading: 'Top', embed: false });
    edges.add(a, c, { target: 'C', embed: true });
    const records = [...edges.records()];
    expect(records).toHaveLength(3);
    for (const r of records) expect(ExportRecord.safeParse(r).success).toBe(true);
    expect(records[0]).toEqual({
      type: 'relationship',
      id: stableId(`obsidian-link:${a}:${b}:references`),
      from_node: a,
      to_node: b,
      kind: 'references',
      metadata: {
        source: 'obsidian',
        embed: true,
        links: [{}, { heading: 'Intro', alias: 'see' }, { block: 'x1', embed: true }],
        count: 4,
      },
    });
    expect(records[1]!.metadata).toMatchObject({ heading: 'Top', links: [{ heading: 'Top' }] });
    expect(records[2]!.metadata).toMatchObject({ embed: true, links: [{ embed: true }] });
  });
});
