import { Types } from 'mongoose';
import { compileRoutingRules, evaluateRouting } from '../../domain/routing-rules.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { requireAdmin, ticketAccessScope, type Actor } from '../access.js';
import { policyOf } from '../sla/refresh-sla.js';
import { findRule } from './routing-rule-input.js';
import { planRouting, readRefs, storedMailFacts, toDomainRule, type RoutingFactsDeps, type RoutingRefReadDeps } from './routing-plan.js';

/** How many of the newest tickets a dry-run reads. */
export const DRY_RUN_TICKETS = 200;

/** One ticket a rule would match, and what it would change there now. */
export interface DryRunMatch {
  ticketId: string;
  number: number;
  subject: string;
  /** Each change as the trail would record it (ids as hex strings); empty when the ticket already is as the rule would set it. */
  changes: Array<{ action: string; detail: Record<string, unknown> }>;
  /** Actions that could not apply to this ticket, with why. */
  skipped: Array<{ action: string; reason: string }>;
}

/** A dry-run's answer. */
export interface DryRunResult {
  ruleId: string;
  rule: string;
  /** How many tickets were read (at most {@link DRY_RUN_TICKETS}). */
  examined: number;
  matches: DryRunMatch[];
}

/** What a dry-run reads. */
export interface DryRunDeps extends RoutingFactsDeps, RoutingRefReadDeps {
  routingRules: Pick<RoutingRuleStore, 'findById'>;
  tickets: Pick<TicketStore, 'listNewest'>;
  messages: Pick<MessageStore, 'listOpeningMails'>;
  inboxes: Pick<InboxStore, 'listSlasByIds'>;
}

const plain = (v: unknown): unknown => (v instanceof Types.ObjectId ? v.toHexString() : Array.isArray(v) ? v.map(plain) : v);
const plainDetail = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, plain(v)]));

/**
 * Which of the newest {@link DRY_RUN_TICKETS} tickets the actor can see a rule would match, read
 * against the mail that opened each (as if the rule were on and alone), and what it would change on
 * each as the ticket is now. Writes nothing. Admins only, like the rules.
 */
export async function dryRunRoutingRule(deps: DryRunDeps, actor: Actor, id: string): Promise<DryRunResult> {
  requireAdmin(actor);
  const stored = await findRule(deps, id);
  const compiled = compileRoutingRules([{ ...toDomainRule(stored), enabled: true, stop: false }]);
  const tickets = await deps.tickets.listNewest(DRY_RUN_TICKETS, ticketAccessScope(actor));
  const keys = tickets.flatMap((t) => (t.originKey ? [t.originKey] : []));
  const [mails, slas] = await Promise.all([
    keys.length > 0 ? deps.messages.listOpeningMails(keys) : [],
    deps.inboxes.listSlasByIds([...new Map(tickets.map((t) => [t.inboxId.toHexString(), t.inboxId])).values()]),
  ]);
  // What the rule names, read once for every ticket (and the tickets' own teams, for auto-assignment to "the ticket's team").
  const refs = await readRefs(deps, stored.actions.map((action) => ({ ruleId: id, rule: stored.name, action })));
  const teamIds = [...new Map(tickets.flatMap((t) => (t.teamId && !refs.teams.has(t.teamId.toHexString()) ? [[t.teamId.toHexString(), t.teamId] as const] : []))).values()];
  if (teamIds.length > 0) for (const t of await deps.teams.listByIds(teamIds)) refs.teams.set(t._id.toHexString(), t);
  const mailByKey = new Map(mails.map((m) => [m.dedupeKey, m]));
  const hoursByInbox = new Map(slas.map((i) => [i._id.toHexString(), policyOf(i).businessHours]));
  const matches: DryRunMatch[] = [];
  for (const ticket of tickets) {
    const mail = ticket.originKey ? mailByKey.get(ticket.originKey) : undefined;
    if (!mail) continue;
    const facts = await storedMailFacts(deps, compiled, mail, false);
    const { actions } = evaluateRouting(compiled, facts, { businessHours: hoursByInbox.get(ticket.inboxId.toHexString()) ?? null }, mail.createdAt);
    if (actions.length === 0) continue;
    const plan = planRouting(ticket, actions, refs);
    matches.push({
      ticketId: ticket._id.toHexString(),
      number: ticket.number,
      subject: ticket.subject,
      changes: plan.applied.map((a) => ({ action: a.action, detail: plainDetail(a.detail) })),
      skipped: plan.skipped.map((s) => ({ action: s.action, reason: s.reason })),
    });
  }
  return { ruleId: stored._id.toHexString(), rule: stored.name, examined: tickets.length, matches };
}
