import type { Types } from 'mongoose';
import type { BounceReport } from '../../domain/bounce.js';
import { ticketNumberFromMessageId, type Signer } from '../../domain/message-ids.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketStore } from '../../store/ticket-store.js';

/**
 * The ticket of the message a bounce or out-of-office notice reports on: by its Message-ID, stored or
 * encoded in our id. What filing it records is decided by fileReport (src/domain/ingest-plan.ts).
 */
export async function ticketOfBouncedMessage(
  deps: { tickets: Pick<TicketStore, 'mergeRootOf' | 'findIdByNumber'>; messages: Pick<MessageStore, 'findTicketIdByMessageId'>; sign: Signer },
  report: BounceReport,
): Promise<Types.ObjectId | null> {
  const original = report.originalMessageId;
  if (!original) return null;
  const storedOn = await deps.messages.findTicketIdByMessageId(original);
  if (storedOn) return deps.tickets.mergeRootOf(storedOn);
  const number = ticketNumberFromMessageId(original, deps.sign);
  if (number === null) return null;
  const ticket = await deps.tickets.findIdByNumber(number);
  return ticket ? deps.tickets.mergeRootOf(ticket._id) : null;
}
