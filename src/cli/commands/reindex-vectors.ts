import type { App } from '../../api/create-app.js';
import { HelixError } from '../../core/errors.js';
import { progressBar } from '../progress.js';

/**
 * Drops the active space's vectors (or the whole LanceDB folder when it cannot be opened),
 * queues every node and drains the queue here, with a progress bar.
 */
export async function reindexVectors(app: App, showProgress: boolean) {
  const { ctx, search } = app;
  await search.start();
  if (search.state !== 'ready') {
    // the folder itself is unusable: start it over empty, then try again
    const { rmSync } = await import('node:fs');
    rmSync(ctx.paths.lancedbPath, { recursive: true, force: true });
    await search.close();
    await search.start();
  }
  if (search.state !== 'ready' || !search.store || !search.worker || !search.selection) {
    throw new HelixError('unavailable', `vector search cannot start: ${search.error}`);
  }
  const provider = search.selection.provider;
  await search.store.rebuild(provider);
  const now = ctx.clock.now().toISOString();
  search.worker.queue.markFilling(provider.id, now);
  const total = search.worker.queue.enqueueAll(now);
  const bar = progressBar(`embedding (${provider.id})`, total, showProgress);
  const result = await search.worker.drain((done) => bar.update(done));
  await search.worker.runBatch(); // marks the space complete once nothing is left
  bar.stop();
  const { maintainIndex } = await import('../../search/vectors/maintain-index.js');
  const index = await maintainIndex(await search.store.tableFor(provider), ctx.logger);
  return { space: provider.id, queued: total, ...result, index };
}
