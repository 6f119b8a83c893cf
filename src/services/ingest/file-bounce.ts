import type { Types } from 'mongoose';
import type { BounceReport } from '../../domain/bounce.js';
import { ticketNumberFromMessageId, type Signer } from '../../domain/message-ids.js';
import type { Models } from '../../store/models/index.js';
import { mergeRootOf } from '../../store/ticket-writes.js';

/**
 * The ticket of the message a bounce or out-of-office notice reports on: by its Message-ID, stored or
 * encoded in our id. What filing it records is decided by fileReport (src/domain/ingest-plan.ts).
 */
export async function ticketOfBouncedMessage(deps: { models: Models; sign: Signer }, report: BounceReport): Promise<Types.ObjectId | null> {
  const original = report.originalMessageId;
  if (!original) return null;
  const stored = await deps.models.Message.findOne({ messageId: original }, { ticketId: 1 }).lean();
  if (stored) return mergeRootOf(deps.models, stored.ticketId);
  const number = ticketNumberFromMessageId(original, deps.sign);
  if (number === null) return null;
  const ticket = await deps.models.Ticket.findOne({ number }, { _id: 1 }).lean();
  return ticket ? mergeRootOf(deps.models, ticket._id) : null;
}
