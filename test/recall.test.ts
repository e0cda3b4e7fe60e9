import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { waitFor } from './support/temp.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ flags: { 'embedding.dimensions': 128 } });
});
afterAll(() => s.close());

const recall = (body: Record<string, unknown>) => s.api.post('/api/v1/recall', body);
const diagnostics = async () => (await s.api.get('/api/v1/diagnostics/embedding')).body;

describe('recall over REST, with the background embedding worker', () => {
  it('embeds new nodes in the background and fuses both signals once the space is complete', async () => {
    const a = (
      await s.api.post('/api/v1/nodes', {
        title: 'Kestrel',
        content: 'a small falcon hovering over the meadow',
      })
    ).body;
    await s.api.post('/api/v1/nodes', { title: 'Tomatoes', content: 'they want sun, water and patience' });
    const done = await waitFor(async () => {
      const d = await diagnostics();
      return d.space?.state === 'complete' && d.pending === 0 && d.vectors_stored === 2 ? d : null;
    }, 'the embedding worker to drain');
    expect(done).toMatchObject({
      state: 'ready',
      provider: 'hash',
      dimensions: 128,
      fallback: null,
      last_error: null,
    });
    expect(done.batches).toBeGreaterThan(0);
    const r = await recall({ text: 'falcon hovering' });
    expect(r.status).toBe(200);
    expect(r.body.strategy).toBe('hybrid');
    expect(r.body.notices).toEqual([]);
    expect(r.body.results[0]).toMatchObject({ node: { id: a.id }, score: 1, match_source: 'hybrid' });
    expect(r.body.results[0].explain.fulltext.rank).toBe(1);
    expect(r.body.results[0].explain.vector.rank).toBe(1);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const r = await recall({ text: '', strategy: 'psychic' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_error');
    const hyde = await recall({ text: 'x', rewrite: 'hyde' });
    expect(hyde.status).toBe(400);
    expect(hyde.body.error.message).toMatch(/rewrite: hyde needs a language model/);
  });

  it('falls back to full text with a notice when the vector store is gone', async () => {
    rmSync(join(s.home, 'data', 'lancedb'), { recursive: true, force: true });
    const r = await recall({ text: 'falcon hovering' });
    expect(r.status).toBe(200);
    expect(r.body.results[0].node.title).toBe('Kestrel');
    expect(r.body.notices.join(' ')).toMatch(/full text only/);
  });
});
