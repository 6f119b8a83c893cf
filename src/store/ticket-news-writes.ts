import type { Types } from 'mongoose';
import type { Models } from './models/index.js';

/** News on a ticket (domain/unread.ts): when it was stored and the agent who made it (null: mail from outside). */
export interface NewsWrite {
  at: Date;
  by: Types.ObjectId | null;
}

/**
 * The update recording news on a ticket, unless the ticket already has later news (a retried or
 * slower write never moves it back), for a bulk write.
 */
export function newsOperation(ticketId: Types.ObjectId, news: NewsWrite) {
  return { updateOne: { filter: { _id: ticketId, newsAt: { $not: { $gt: news.at } } }, update: { $set: { newsAt: news.at, newsBy: news.by } } } };
}

/** Records news on a ticket (see {@link newsOperation}). */
export async function recordNews(models: Pick<Models, 'Ticket'>, ticketId: Types.ObjectId, news: NewsWrite): Promise<void> {
  const { filter, update } = newsOperation(ticketId, news).updateOne;
  await models.Ticket.updateOne(filter, update);
}
