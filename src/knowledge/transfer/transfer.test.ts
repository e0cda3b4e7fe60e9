import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { listNodes } from '../nodes/list.js';
import { createRelationship } from '../relationships/service.js';
import { exportLines } from './export.js';
import { importRecords } from './import.js';

let a: TestApp;
let b: TestApp;
beforeEach(() => {
  a = makeTestApp();
  b = makeTestApp();
});
afterEach(() => {
  a.dispose();
  b.dispose();
});

describe('export and import', () => {
  it('round-trips nodes, tags and relationships, idempotently', async () => {
    const x = makeNode(a.ctx, {
      title: 'X',
      content: 'ex',
      tags: ['t1', 't2'],
      metadata: { k: 1 },
      namespace: 'work',
    });
    const y = makeNode(a.ctx, { title: 'Y', content: 'why' });
    createRelationship(a.ctx, {
      from_node: y.id,
      to_node: x.id,
      kind: 'references',
      weight: 0.5,
      metadata: { h: 'Intro' },
    });
    const lines = [...exportLines(a.ctx, { batchSize: 1 })];
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'header',
      format: 'helix-export',
      format_version: 1,
    });
    expect(lines).toHaveLength(4);

    const first = await importRecords(b.ctx, lines);
    expect(first).toMatchObject({
      imported: 2,
      updated: 0,
      skipped: 0,
      failed: 0,
      relationships: { imported: 1 },
    });
    const again = await importRecords(b.ctx, lines);
    expect(again).toMatchObject({
      imported: 0,
      updated: 0,
      skipped: 2,
      failed: 0,
      relationships: { imported: 0, skipped: 1 },
    });
    expect([...exportLines(b.ctx)].slice(1)).toEqual(lines.slice(1));
    const edge = JSON.parse(lines[3]!);
    const changed = await importRecords(b.ctx, [JSON.stringify({ ...edge, metadata: { h: 'Other' } })]);
    expect(changed.relationships).toMatchObject({ updated: 1, skipped: 0 });
    expect(JSON.parse([...exportLines(b.ctx)][3]!).metadata).toEqual({ h: 'Other' });
  });

  it('updates changed records as new versions and applies a namespace override', async () => {
    const x = makeNode(a.ctx, { content: 'v1' });
    await importRecords(b.ctx, [...exportLines(a.ctx)], { namespace: 'imported' });
    const node = JSON.parse([...exportLines(a.ctx)][1]!);
    const res = await importRecords(b.ctx, [JSON.stringify({ ...node, content: 'v2' })], {
      namespace: 'imported',
    });
    expect(res.updated).toBe(1);
    const items = listNodes(b.ctx, { namespace: 'imported', limit: 10 }).items;
    expect(items.map((n) => [n.id, n.content, n.version])).toEqual([[x.id, 'v2', 2]]);
  });

  it('reports bad lines with their number and reason, importing the rest', async () => {
    const good = JSON.stringify({
      type: 'node',
      id: '01a21200-0000-7000-8000-000000000001',
      kind: 'fact',
      content: 'ok',
    });
    const res = await importRecords(b.ctx, [
      good,
      '{not json',
      JSON.stringify({ type: 'node', id: 'nope', kind: 'fact', content: 'x' }),
      JSON.stringify({
        type: 'node',
        id: '01a21200-0000-7000-8000-000000000002',
        kind: 'weird',
        content: 'x',
      }),
      JSON.stringify({
        type: 'relationship',
        id: '01a21200-0000-7000-8000-000000000003',
        from_node: '01a21200-0000-7000-8000-000000000001',
        to_node: '01a21200-0000-7000-8000-000000000009',
        kind: 'references',
      }),
    ]);
    expect(res).toMatchObject({ imported: 1, failed: 3, relationships: { failed: 1 } });
    expect(res.failures.map((f) => f.line)).toEqual([2, 3, 4, 5]);
    expect(res.failures[0]!.reason).toBe('malformed JSON');
    expect(res.failures[2]!.reason).toMatch(/kind/);
    expect(res.failures[3]!.reason).toMatch(/to_node .* not found/);
  });

  it('refuses an export from a newer format', async () => {
    await expect(
      importRecords(b.ctx, [JSON.stringify({ type: 'header', format: 'helix-export', format_version: 99 })]),
    ).rejects.toThrow(/newer/);
  });
});
