import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import { notFound, requireAdmin, type Actor } from '../access.js';
import { findRule } from './routing-rule-input.js';

/** Removes a routing rule (admins); what it did to tickets stays on their trails. */
export async function deleteRoutingRule(deps: { routingRules: Pick<RoutingRuleStore, 'findById' | 'delete'> }, actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  const rule = await findRule(deps, id);
  if (!(await deps.routingRules.delete(rule._id))) throw notFound('Routing rule');
}
