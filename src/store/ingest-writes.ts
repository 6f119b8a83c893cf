import type { Types } from 'mongoose';
import type { ThreadCandidate } from '../domain/thread-decision.js';
import type { TicketStatus } from '../domain/ticket-status.js';
import type { MessageDoc } from './models/message.js';
import type { Models } from './models/index.js';

/** A ticket as threading sees it; a pending change may alter its status, closedAt and participants. */
type TicketView = Pick<ThreadCandidate, 'ticketId' | 'status' | 'closedAt' | 'participants'>;

/** A received message waiting to be inserted with its batch. */
export interface PendingMessage {
  doc: Partial<MessageDoc> & { _id: Types.ObjectId; dedupeKey: string };
}

interface TicketChange {
  ticketId: Types.ObjectId;
  /** The message this change comes from; dropped with it when another process stored that mail first. */
  messageDocId: Types.ObjectId;
  set: Record<string, unknown>;
  participants: string[];
  receivedAt: Date;
}

const DUPLICATE_KEY = 11000;

/** The write errors of a failed insertMany, whatever shape the driver reports them in. */
function writeErrorsOf(err: unknown): Array<{ index: number; code: number | undefined }> | null {
  const list = (err as { writeErrors?: unknown }).writeErrors;
  if (!list) return null;
  const items = (Array.isArray(list) ? list : Object.values(list as object)) as Array<{ index?: number; code?: number; err?: { index?: number; code?: number } }>;
  return items.map((e) => ({ index: e.index ?? e.err?.index ?? -1, code: e.code ?? e.err?.code }));
}

/**
 * The writes of one batch of received mail: its new messages, then the changes they make to their
 * tickets, each kind in one round trip, in that order, so a ticket never counts a message that is
 * not stored. They are written at the end of the batch, or earlier when something is about to read
 * tickets back from the database; until then {@link IngestWriteBuffer.view} shows a ticket as it will
 * be. A message another process stored first (its dedupe key is taken) is reported in `lost`, and its
 * ticket change is dropped. A failed write fails every later flush too, so a batch never marks its
 * mails complete without their writes.
 */
export class IngestWriteBuffer {
  private messages: PendingMessage[] = [];
  private changes: TicketChange[] = [];
  private error: unknown = null;
  /** Messages whose dedupe key another process had taken: they were not stored by this batch. */
  readonly lost: PendingMessage[] = [];

  constructor(
    private readonly models: Models,
    private readonly onStored: () => void = () => undefined,
  ) {}

  /** Queues a validated message document. */
  addMessage(message: PendingMessage): void {
    this.messages.push(message);
  }

  /** Queues one received message's change to its ticket: status fields, participants, one more message. */
  addTicketChange(change: TicketChange): void {
    this.changes.push(change);
  }

  /** The ticket with the queued changes applied. */
  view<T extends TicketView>(ticket: T): T {
    let out = ticket;
    for (const c of this.changes) {
      if (c.ticketId.toHexString() !== ticket.ticketId) continue;
      const status = (c.set.status as TicketStatus | undefined) ?? out.status;
      const closedAt = 'closedAt' in c.set ? (c.set.closedAt as Date | null) : out.closedAt;
      out = { ...out, status, closedAt, participants: [...new Set([...out.participants, ...c.participants])] };
    }
    return out;
  }

  /** Writes what is queued: messages first, then ticket changes. */
  async flush(): Promise<void> {
    if (this.error) throw this.error;
    const messages = this.messages;
    let changes = this.changes;
    this.messages = [];
    this.changes = [];
    try {
      if (messages.length > 0) {
        const lost = await this.insertMessages(messages);
        if (lost.size > 0) changes = changes.filter((c) => !lost.has(c.messageDocId.toHexString()));
      }
      if (changes.length > 0) {
        await this.models.Ticket.bulkWrite(
          changes.map((c) => ({
            updateOne: {
              filter: { _id: c.ticketId },
              update: {
                ...(Object.keys(c.set).length ? { $set: c.set } : {}),
                $addToSet: { participants: { $each: c.participants } },
                $inc: { messageCount: 1 },
                $max: { lastActivityAt: c.receivedAt },
              },
            },
          })),
          { ordered: true },
        );
      }
    } catch (err) {
      this.error = err;
      throw err;
    }
  }

  /** One unordered insert; returns the ids of the messages that lost a dedupe race. */
  private async insertMessages(messages: PendingMessage[]): Promise<Set<string>> {
    const lost = new Set<string>();
    try {
      await this.models.Message.collection.insertMany(messages.map((m) => m.doc), { ordered: false });
    } catch (err) {
      const errors = writeErrorsOf(err);
      if (!errors || errors.some((e) => e.code !== DUPLICATE_KEY || !messages[e.index])) throw err;
      for (const e of errors) {
        const m = messages[e.index]!;
        lost.add(m.doc._id.toHexString());
        this.lost.push(m);
      }
    }
    for (const m of messages) if (!lost.has(m.doc._id.toHexString())) this.onStored();
    return lost;
  }
}
