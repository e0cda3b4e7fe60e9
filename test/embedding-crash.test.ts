import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hx, type ServerProcess, spawnServer } from './support/cli.js';
import { exportedNode } from './support/factories.js';
import { apiClient } from './support/http.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

const N = 1500;
let home: string | undefined;
const children: ServerProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
  }
  removeDir(home);
});

interface Diagnostics {
  space: { state: string } | null;
  vectors_stored: number | null;
  pending: number;
}

describe('the embedding queue across a crash', { timeout: 180_000 }, () => {
  it('gives every node its vector, once, after kill -9 in the middle of draining', async () => {
    home = tempDir();
    const file = join(home, 'notes.jsonl');
    writeFileSync(
      file,
      `${Array.from({ length: N }, (_, i) => JSON.stringify(exportedNode(i + 1, `note ${i} about topic ${i % 37}`))).join('\n')}\n`,
    );
    expect((await hx(['import', file, '--json'], { home })).json().imported).toBe(N);

    // small batches, so the drain is long enough to be interrupted
    const env = { HELIX_EMBEDDING_BATCH_SIZE: '10' };
    const first = await spawnServer(home, { env });
    children.push(first);
    const api = apiClient(first.url);
    const before = await waitFor(
      async () => {
        const d = (await api.get<Diagnostics>('/api/v1/diagnostics/embedding')).body;
        return (d.vectors_stored ?? 0) > 0 ? d : null;
      },
      'the first vectors',
      60_000,
      10,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect(before.pending, 'killed while nodes were still queued').toBeGreaterThan(0);
    expect(before.space?.state).toBe('filling');

    const second = await spawnServer(home, { env: { HELIX_EMBEDDING_BATCH_SIZE: '500' } });
    children.push(second);
    const after = await waitFor(
      async () => {
        const d = (await apiClient(second.url).get<Diagnostics>('/api/v1/diagnostics/embedding')).body;
        return d.space?.state === 'complete' && d.pending === 0 ? d : null;
      },
      'the queue to drain after the restart',
      120_000,
      100,
    );
    // one vector per node: upserts by node id, and unchanged text is skipped by its hash
    expect(after.vectors_stored).toBe(N);
  });
});

describe('hx db reindex --vectors', { timeout: 120_000 }, () => {
  it('rebuilds the vectors from SQLite, even after the LanceDB folder was damaged', async () => {
    home = tempDir();
    for (const text of ['alpha beta', 'gamma delta', 'epsilon zeta']) {
      expect((await hx(['store', text], { home })).code).toBe(0);
    }
    const first = (await hx(['--json', 'db', 'reindex', '--vectors'], { home })).json();
    expect(first.vectors).toMatchObject({ queued: 3, embedded: 3, failed: 0 });
    const { readdirSync, writeFileSync: write } = await import('node:fs');
    const lance = join(home, 'data', 'lancedb');
    for (const table of readdirSync(lance))
      write(join(lance, table, '_versions', 'garbage.manifest'), 'not a manifest');
    const again = await hx(['--json', 'db', 'reindex', '--vectors'], { home });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().vectors).toMatchObject({ queued: 3, embedded: 3, failed: 0 });
  });
});
