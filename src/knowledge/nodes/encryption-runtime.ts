import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { Context } from '../../core/context.js';
import { encryptionStatus, migrateEncryption } from './encryption-migration.js';

/**
 * In a server: whenever the vault is unsealed and rows are not yet in the form `[encryption]`
 * asks for, converts them in the background, one batch per turn of the event loop so requests
 * keep flowing. Embedding entries that failed while the key was away are retried at once.
 */
export function watchEncryption(ctx: Context, hasKey: () => boolean): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  let stopping = false;
  const run = () => {
    if (running || stopping) return;
    const status = encryptionStatus(ctx);
    if (status.remaining === 0 && !status.index_policy_pending) return;
    if ((status.target === 'sealed' || status.sealed_nodes > 0) && !hasKey()) return;
    ctx.logger.info(
      { target: status.target, remaining: status.remaining },
      'encryption at rest: migrating rows',
    );
    running = migrateEncryption(ctx, {
      shouldStop: () => stopping,
      pause: () => yieldToRequests(),
      onProgress: (p) => {
        if (p.done % 5000 < 500 || p.done === p.total) ctx.logger.info(p, 'encryption at rest: progress');
      },
    })
      .then((r) => ctx.logger.info(r, 'encryption at rest: migration finished'))
      .catch((err: Error) => ctx.logger.warn({ err: err.message }, 'encryption at rest: migration paused'))
      .finally(() => {
        running = null;
      });
  };
  const off = ctx.bus.on('vault.state', ({ state }) => {
    if (state !== 'unsealed') return;
    ctx.db
      .prepare(
        "UPDATE embedding_queue SET not_before = NULL WHERE last_error LIKE '%vault is sealed%' OR last_error LIKE '%no vault key%'",
      )
      .run();
    run();
  });
  run();
  return {
    async stop() {
      stopping = true;
      off();
      await running;
    },
  };
}
