import type { Context } from '../../core/context.js';
import { notFound } from '../../core/errors.js';
import type { AutoApproveRule, CreateAutoApproveRule, UpdateAutoApproveRule } from './schema.js';
import {
  deleteAutoApproveRule,
  enabledRulesFor,
  getAutoApproveRule,
  insertAutoApproveRule,
  replaceAutoApproveRule,
} from './store.js';

/** A proposal as the rules see it (the MCP proposals code, adapters and the agent call with this). */
export interface ProposalFacts {
  action: string;
  namespace: string;
  kind?: string | undefined;
  tags?: readonly string[] | undefined;
  /** how sure the proposer is, 0..1 */
  confidence: number;
  /** who or what proposes (an adapter, an MCP client name, `agent`) */
  source?: string | undefined;
}

/** Whether a rule's scope covers the proposal (thresholds aside). Tags: every rule tag on the proposal. */
function inScope(rule: AutoApproveRule, p: ProposalFacts): boolean {
  if (rule.action !== '*' && rule.action !== p.action) return false;
  if (rule.namespace !== '*' && rule.namespace !== p.namespace) return false;
  if (rule.kind !== null && rule.kind !== p.kind) return false;
  if (rule.source !== null && rule.source !== p.source) return false;
  if (rule.tags.length > 0) {
    const have = new Set((p.tags ?? []).map((t) => t.toLowerCase()));
    if (!rule.tags.every((t) => have.has(t.toLowerCase()))) return false;
  }
  return true;
}

/** How narrowly a rule is scoped: one point per constrained field, one per required tag. */
const specificity = (r: AutoApproveRule): number =>
  (r.action !== '*' ? 1 : 0) +
  (r.namespace !== '*' ? 1 : 0) +
  (r.kind !== null ? 1 : 0) +
  (r.source !== null ? 1 : 0) +
  r.tags.length;

/**
 * The rule that lets this proposal through without review, or null (ask the owner).
 *
 * Among the enabled rules whose scope covers the proposal, the MOST SPECIFIC one decides, and it
 * approves only when the confidence reaches its `min_confidence`. So a narrow rule with a high bar
 * (`finance` tags need 0.95) is not bypassed by a broad rule with a low one; equally specific
 * rules resolve to the strictest threshold. A confidence that is not a number in 0..1 never passes.
 */
export function matchAutoApprove(ctx: Context, proposal: ProposalFacts): { rule_id: string } | null {
  const c = proposal.confidence;
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1) return null;
  let best: AutoApproveRule | null = null;
  for (const rule of enabledRulesFor(ctx.db, proposal.action)) {
    if (!inScope(rule, proposal)) continue;
    if (
      !best ||
      specificity(rule) > specificity(best) ||
      (specificity(rule) === specificity(best) && rule.min_confidence > best.min_confidence)
    )
      best = rule;
  }
  return best && c >= best.min_confidence ? { rule_id: best.id } : null;
}

export function getRule(ctx: Context, id: string): AutoApproveRule {
  const rule = getAutoApproveRule(ctx.db, id);
  if (!rule) throw notFound('auto-approve rule', id);
  return rule;
}

export function createRule(ctx: Context, input: CreateAutoApproveRule, actor: string): AutoApproveRule {
  const now = ctx.clock.now().toISOString();
  const rule: AutoApproveRule = {
    id: ctx.ids.next(),
    action: input.action,
    namespace: input.namespace,
    kind: input.kind ?? null,
    tags: [...new Set(input.tags)],
    source: input.source ?? null,
    min_confidence: input.min_confidence,
    enabled: input.enabled,
    description: input.description ?? null,
    created_by: actor,
    created_at: now,
    updated_at: now,
  };
  insertAutoApproveRule(ctx.db, rule);
  return rule;
}

export function updateRule(ctx: Context, id: string, patch: UpdateAutoApproveRule): AutoApproveRule {
  const current = getRule(ctx, id);
  const next: AutoApproveRule = {
    ...current,
    ...(patch.action !== undefined ? { action: patch.action } : {}),
    ...(patch.namespace !== undefined ? { namespace: patch.namespace } : {}),
    ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
    ...(patch.tags !== undefined ? { tags: [...new Set(patch.tags)] } : {}),
    ...(patch.source !== undefined ? { source: patch.source } : {}),
    ...(patch.min_confidence !== undefined ? { min_confidence: patch.min_confidence } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    updated_at: ctx.clock.now().toISOString(),
  };
  replaceAutoApproveRule(ctx.db, next);
  return next;
}

export function deleteRule(ctx: Context, id: string): void {
  if (!deleteAutoApproveRule(ctx.db, id)) throw notFound('auto-approve rule', id);
}
