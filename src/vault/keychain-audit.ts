import type { Context } from '../core/context.js';
import type { AuditOutcome } from '../security/audit-entry.js';
import { recordAudit } from '../security/audit.js';
import type { Principal } from '../security/principal.js';

/** Who is asking the keychain for something: a request's principal, or the local CLI user. */
export interface VaultActor {
  principal: Principal;
  request_id: string;
  ip: string | null;
}

export const cliActor = (): VaultActor => ({
  principal: { id: 'local', role: 'admin', namespaces: ['*'], via: 'local' },
  request_id: `cli-${process.pid}`,
  ip: null,
});

/**
 * Keychain facts (unseal attempts, rotations, credential reads) get their own audit rows, apart
 * from the HTTP pipeline's, so CLI unseals and reads are on record too. Never a secret: only the
 * action, the target id and the outcome.
 */
export function auditVault(
  ctx: Context,
  actor: VaultActor,
  action: string,
  outcome: AuditOutcome,
  target: string | null = null,
): void {
  try {
    recordAudit(ctx, {
      actor: actor.principal.id,
      actor_via: actor.principal.via,
      role: actor.principal.role,
      action: `keychain.${action}`,
      target,
      namespace: null,
      outcome,
      status: outcome === 'success' ? 200 : outcome === 'denied' ? 403 : 400,
      request_id: actor.request_id,
      ip: actor.ip,
    });
  } catch (err) {
    ctx.logger.error({ err, action }, 'keychain audit write failed');
  }
}
