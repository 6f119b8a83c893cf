import { Types } from 'mongoose';
import type { Models } from '../../../src/store/models/index.js';
import type { TicketDoc } from '../../../src/store/models/ticket.js';
import { createUser } from '../../helpers/api.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The team load's fixture, with ages relative to now (never a fixed date), each well inside its
 * bucket: Helpdesk (managed by Max, worked by Gina and Hugo) and Billing (Iris's).
 *
 * - Accueil (L1, Helpdesk; Gina, Hugo, and Jules whose account is disabled): Gina urgent 2 h, high 2 d,
 *   normal 10 d; Iris (not a member) normal 2 h; unassigned low 5 d. Not counted: a solved one and a
 *   merged one of Gina's.
 * - Réseau (L2, Helpdesk; no members): unassigned high 2 h.
 * - Facturation (L1, Billing; Iris): Iris high 5 d.
 * - No team: Gina low 2 d and unassigned urgent 10 d (Helpdesk); unassigned normal 2 h (Billing).
 *
 * Hugo (no tickets) and Iris are away.
 */
export async function seedTeamLoad(models: Models, helpdesk: Types.ObjectId, users: { max: string; gina: string }) {
  const billing = new Types.ObjectId();
  await models.Inbox.create({ _id: billing, name: 'Billing', address: 'billing@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  const now = Date.now();
  const ago = (ms: number) => new Date(now - ms);
  const gina = new Types.ObjectId(users.gina);
  const hugo = await createUser(models, { email: 'hugo@example.test', password: 'hugo password 123', inboxIds: [helpdesk], name: 'Hugo' });
  const iris = await createUser(models, { email: 'iris@example.test', password: 'iris password 123', inboxIds: [billing], name: 'Iris' });
  const jules = await createUser(models, { email: 'jules@example.test', password: 'jules password 123', inboxIds: [helpdesk], name: 'Jules', disabled: true });
  await models.User.updateMany({ _id: { $in: [hugo._id, iris._id] } }, { $set: { away: true, awaySince: ago(DAY) } });
  const accueil = new Types.ObjectId();
  const reseau = new Types.ObjectId();
  const facturation = new Types.ObjectId();
  await models.Team.create([
    { _id: accueil, name: 'Accueil', level: 'L1', memberIds: [gina, hugo._id, jules._id], inboxIds: [helpdesk] },
    { _id: reseau, name: 'Réseau', level: 'L2', memberIds: [], inboxIds: [helpdesk] },
    { _id: facturation, name: 'Facturation', level: 'L1', memberIds: [iris._id], inboxIds: [billing] },
  ]);
  let number = 100;
  const ticket = (fields: Partial<TicketDoc>): Partial<TicketDoc> => ({ number: ++number, subject: `Ticket ${number}`, requester: { email: `c${number}@customer.test` }, status: 'open', priority: 'normal', lastActivityAt: new Date(now), ...fields });
  const survivor = new Types.ObjectId();
  await models.Ticket.create([
    ticket({ _id: survivor, inboxId: helpdesk, teamId: accueil, assigneeId: gina, priority: 'urgent', createdAt: ago(2 * HOUR) }),
    ticket({ inboxId: helpdesk, teamId: accueil, assigneeId: gina, priority: 'high', status: 'pending', createdAt: ago(2 * DAY) }),
    ticket({ inboxId: helpdesk, teamId: accueil, assigneeId: gina, priority: 'normal', status: 'new', createdAt: ago(10 * DAY) }),
    ticket({ inboxId: helpdesk, teamId: accueil, assigneeId: iris._id, priority: 'normal', createdAt: ago(2 * HOUR) }),
    ticket({ inboxId: helpdesk, teamId: accueil, priority: 'low', status: 'new', createdAt: ago(5 * DAY) }),
    ticket({ inboxId: helpdesk, teamId: accueil, assigneeId: gina, priority: 'urgent', status: 'solved', createdAt: ago(2 * HOUR) }),
    ticket({ inboxId: helpdesk, teamId: accueil, assigneeId: gina, priority: 'urgent', mergedIntoId: survivor, createdAt: ago(2 * HOUR) }),
    ticket({ inboxId: helpdesk, teamId: reseau, priority: 'high', createdAt: ago(2 * HOUR) }),
    ticket({ inboxId: billing, teamId: facturation, assigneeId: iris._id, priority: 'high', createdAt: ago(5 * DAY) }),
    ticket({ inboxId: helpdesk, assigneeId: gina, priority: 'low', createdAt: ago(2 * DAY) }),
    ticket({ inboxId: helpdesk, priority: 'urgent', status: 'new', createdAt: ago(10 * DAY) }),
    ticket({ inboxId: billing, priority: 'normal', createdAt: ago(2 * HOUR) }),
  ]);
  return {
    billing,
    teams: { accueil: accueil.toHexString(), reseau: reseau.toHexString(), facturation: facturation.toHexString() },
    users: { ...users, hugo: hugo._id.toHexString(), iris: iris._id.toHexString(), jules: jules._id.toHexString() },
  };
}

/** Counts as the API and the use case give them: total, then priority and age buckets. */
export const counts = (total: number, priority: Partial<Record<'urgent' | 'high' | 'normal' | 'low', number>> = {}, age: Partial<Record<'under-1d' | '1-3d' | '3-7d' | 'over-7d', number>> = {}) => ({
  total,
  priority: { urgent: 0, high: 0, normal: 0, low: 0, ...priority },
  age: { 'under-1d': 0, '1-3d': 0, '3-7d': 0, 'over-7d': 0, ...age },
});
