import type { Types } from 'mongoose';
import { MAX_TICKET_TERMS, messageSearchTerms } from '../domain/ticket-search.js';
import type { Models } from './models/index.js';

/*
 * A ticket takes a message's terms (domain/ticket-search.ts) while it holds fewer than
 * MAX_TICKET_TERMS: the filter on the array's last allowed position keeps one long conversation (or
 * one sender writing random words) from growing a ticket's terms, and every write of it, without end.
 */
const UNDER_CAP = `searchTerms.${MAX_TICKET_TERMS - 1}`;

/** The bulk-write operation adding terms to a ticket (null when there are none). */
export function addTermsOperation(ticketId: Types.ObjectId, terms: readonly string[]) {
  if (terms.length === 0) return null;
  return { updateOne: { filter: { _id: ticketId, [UNDER_CAP]: { $exists: false } }, update: { $addToSet: { searchTerms: { $each: [...terms] } } } } };
}

/** Adds terms to a ticket now (idempotent: a term is held once). */
export async function addTicketTerms(models: Pick<Models, 'Ticket'>, ticketId: Types.ObjectId, terms: readonly string[]): Promise<void> {
  const op = addTermsOperation(ticketId, terms);
  if (op) await models.Ticket.updateOne(op.updateOne.filter, op.updateOne.update);
}

/** Adds what a stored message (an agent's reply, a note) is found by to its ticket. */
export function addMessageTerms(
  models: Pick<Models, 'Ticket'>,
  ticketId: Types.ObjectId,
  message: Parameters<typeof messageSearchTerms>[0],
): Promise<void> {
  return addTicketTerms(models, ticketId, messageSearchTerms(message));
}
