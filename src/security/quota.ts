import type { Database, Statement } from 'better-sqlite3';
import type { Context } from '../core/context.js';
import { HelixError } from '../core/errors.js';

/**
 * Namespace node quotas (`knowledge.namespace_node_quota`, HELIX_NAMESPACE_NODE_QUOTA; 0 means
 * unlimited). Usage comes from `namespace_usage`, a counter the database's triggers keep exact on
 * every insert, delete and namespace move (migration 0010), so a check is one primary-key read
 * whatever the namespace's size. Called from `insertNodeTx` inside the write's transaction: every
 * way of creating a node (REST, gRPC, MCP, import, daily notes) passes through it, and two writers
 * cannot both take the last slot.
 */

const usageStatements = new WeakMap<Database, Statement<[string], { nodes: number }>>();

/** Nodes currently in a namespace. */
export function namespaceUsage(db: Database, namespace: string): number {
  let stmt = usageStatements.get(db);
  if (!stmt) {
    stmt = db.prepare<[string], { nodes: number }>('SELECT nodes FROM namespace_usage WHERE namespace = ?');
    usageStatements.set(db, stmt);
  }
  return stmt.get(namespace)?.nodes ?? 0;
}

const totalStatements = new WeakMap<Database, Statement<[], number>>();

/** Nodes in the whole vault, from the same counters: no scan of `nodes`. */
export function totalUsage(db: Database): number {
  let stmt = totalStatements.get(db);
  if (!stmt) {
    stmt = db.prepare<[], number>('SELECT coalesce(sum(nodes), 0) FROM namespace_usage').pluck();
    totalStatements.set(db, stmt);
  }
  return stmt.get() ?? 0;
}

/** Throws `quota_exceeded` (403, with quota, usage and namespace) when `adding` more nodes would not fit. */
export function checkNamespaceQuota(ctx: Context, namespace: string, adding = 1): void {
  const quota = ctx.config.knowledge.namespace_node_quota;
  if (quota <= 0) return;
  const usage = namespaceUsage(ctx.db, namespace);
  if (usage + adding <= quota) return;
  throw new HelixError(
    'quota_exceeded',
    `namespace ${namespace} holds ${usage} of its ${quota} nodes: delete some or raise knowledge.namespace_node_quota`,
    { namespace, quota, usage },
  );
}
