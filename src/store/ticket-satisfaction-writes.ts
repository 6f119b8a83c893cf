import type { Types } from 'mongoose';
import type { SatisfactionRating } from '../domain/satisfaction.js';
import type { Models } from './models/index.js';
import { recordEvents, type TrailEventInput } from './ticket-writes.js';

/** The ticket store's write of a customer's satisfaction rating. */
export function createTicketSatisfactionWrites(models: Pick<Models, 'Ticket' | 'TicketEvent'>) {
  return {
    /** Puts the rating on the ticket (`satisfaction`: what lists, badges and reports read), then records its trail entries. */
    async setSatisfaction(ticketId: Types.ObjectId, satisfaction: { rating: SatisfactionRating; at: Date }, events: TrailEventInput[]): Promise<void> {
      await models.Ticket.updateOne({ _id: ticketId }, { $set: { satisfaction } });
      await recordEvents(models, events);
    },
  };
}
