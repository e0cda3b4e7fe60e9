import type { Context } from '../../core/context.js';
import { matchAutoApprove, type ProposalFacts } from '../../security/safeguards/auto-approve.js';

export type AutoApproveInput = ProposalFacts;

/**
 * The single call site of the auto-approve rules (security/safeguards): the rule that approves
 * this proposal without a human, or null. A rule engine that throws approves nothing (fail closed).
 */
export async function findAutoApproveRule(
  ctx: Context,
  input: AutoApproveInput,
): Promise<{ rule_id: string } | null> {
  try {
    return matchAutoApprove(ctx, input);
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, 'auto-approve rules failed: proposal left pending');
    return null;
  }
}
