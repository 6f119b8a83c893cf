import type { Types } from 'mongoose';
import type { BouncingAddress, TrailEvent } from '../domain/ingest-plan.js';
import type { ThreadCandidate } from '../domain/thread-decision.js';
import type { TicketStatus } from '../domain/ticket-status.js';
import type { MessageDoc } from './models/message.js';
import { addTermsOperation, addTicketTerms } from './ticket-search-writes.js';
import type { Models } from './models/index.js';
import { relateTickets, type TicketRelation } from './ticket-links.js';
import { newsOperation, recordNews } from './ticket-news-writes.js';
import { recordEvents, refreshTicketStats } from './ticket-writes.js';

/** A ticket as threading sees it; a pending change may alter its status, closedAt and participants. */
type TicketView = Pick<ThreadCandidate, 'ticketId' | 'status' | 'closedAt' | 'participants'>;

/** A received message waiting to be inserted with its batch. */
export interface PendingMessage {
  doc: Partial<MessageDoc> & { _id: Types.ObjectId; dedupeKey: string };
}

/** One received message's change to its ticket: status fields, participants, one more message. */
export interface TicketChange {
  ticketId: Types.ObjectId;
  /** The message this change comes from; dropped with it when another process stored that mail first. */
  messageDocId: Types.ObjectId;
  set: Record<string, unknown>;
  /** The mail reopens the ticket: its metrics count one more reopen (domain/ticket-metrics.ts). */
  reopened?: boolean;
  participants: string[];
  receivedAt: Date;
  /** Tickets that gain this one in their links (the mail follows them up). */
  linkBack: Types.ObjectId[];
  /** What the message adds to the ticket's search terms (domain/ticket-search.ts messageSearchTerms). */
  searchTerms: string[];
  /** The message is not counted in the ticket's conversation (a side conversation's mail). */
  uncounted?: boolean;
}

/** What finishes one mail once its message and ticket are written: trail, relations, bouncing recipients, the completion mark. */
export interface MailFinish {
  messageDocId: Types.ObjectId;
  events: Array<TrailEvent<Types.ObjectId>>;
  related: TicketRelation[];
  bouncing: BouncingAddress[];
  at: Date;
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
 * The writes of one batch of received mail, applied in a fixed order, each kind in one round trip:
 * deliveries of mail stored before; new messages, then the changes they make to their tickets (so a
 * ticket never counts a message that is not stored); at the end the trail, relations, bouncing
 * recipients and completion marks. Messages and ticket changes go out at the end of the batch, or
 * earlier when the batch is about to read tickets back from the database; until then
 * {@link IngestWriteBuffer.view} shows a ticket as it will be. A message another process stored first
 * (its dedupe key is taken) is reported in `lost`, and its ticket change and finish are dropped. A
 * failed write fails every later one, so a batch never marks its mails complete without their writes.
 */
export class IngestWriteBuffer {
  private messages: PendingMessage[] = [];
  private changes: TicketChange[] = [];
  private finishes: MailFinish[] = [];
  private deliveries: Array<{ messageDocId: Types.ObjectId; inboxId: Types.ObjectId }> = [];
  private error: unknown = null;
  private readonly lostIds = new Set<string>();
  /** Messages whose dedupe key another process had taken: they were not stored by this batch. */
  readonly lost: PendingMessage[] = [];

  constructor(
    private readonly models: Models,
    private readonly onStored: () => void = () => undefined,
  ) {}

  /** Notes that a mail stored earlier was delivered to this inbox too. */
  addDelivery(messageDocId: Types.ObjectId, inboxId: Types.ObjectId): void {
    this.deliveries.push({ messageDocId, inboxId });
  }

  /** Queues a validated message document. */
  addMessage(message: PendingMessage): void {
    this.messages.push(message);
  }

  addTicketChange(change: TicketChange): void {
    this.changes.push(change);
  }

  addFinish(finish: MailFinish): void {
    this.finishes.push(finish);
  }

  /** True when another process stored this message first. */
  isLost(messageDocId: Types.ObjectId): boolean {
    return this.lostIds.has(messageDocId.toHexString());
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

  /** Records the queued deliveries of mail stored earlier. */
  async writeDeliveries(): Promise<void> {
    const deliveries = this.deliveries;
    this.deliveries = [];
    if (deliveries.length === 0) return;
    await this.models.Message.bulkWrite(
      deliveries.map((d) => ({ updateOne: { filter: { _id: d.messageDocId }, update: { $addToSet: { deliveredTo: d.inboxId } } } })),
      { ordered: false },
    );
  }

  /** Writes the queued messages, then their ticket changes. */
  async flush(): Promise<void> {
    await this.guarded(async () => {
      const messages = this.messages;
      const changes = this.changes;
      this.messages = [];
      this.changes = [];
      if (messages.length > 0) await this.insertMessages(messages);
      const kept = changes.filter((c) => !this.isLost(c.messageDocId));
      if (kept.length === 0) return;
      // News for unread marks is dated when it is stored, not by the mail's own date (which may be long before).
      const storedAt = new Date();
      await this.models.Ticket.bulkWrite(
        kept.flatMap((c) => [
          {
            updateOne: {
              filter: { _id: c.ticketId },
              update: {
                ...(Object.keys(c.set).length ? { $set: c.set } : {}),
                $addToSet: { participants: { $each: c.participants } },
                $inc: { messageCount: c.uncounted ? 0 : 1, ...(c.reopened ? { 'metrics.reopenCount': 1 } : {}) },
                $max: { lastActivityAt: c.receivedAt },
              },
            },
          },
          ...c.linkBack.map((linked) => ({ updateOne: { filter: { _id: linked }, update: { $addToSet: { linkedTicketIds: c.ticketId } } } })),
          ...[addTermsOperation(c.ticketId, c.searchTerms)].filter((op) => op !== null),
          newsOperation(c.ticketId, { at: storedAt, by: null }),
        ]),
        { ordered: true },
      );
    });
  }

  /**
   * Applies a ticket change now, counting the ticket's messages afresh instead of adding one: for a
   * mail whose ingest was cut (its message may be counted already) and after a merge. Everything
   * queued is written first.
   */
  async recount(change: Omit<TicketChange, 'receivedAt' | 'messageDocId'>): Promise<void> {
    await this.flush();
    // Not guarded: a failure here fails this mail alone, which stays `stored` and is resumed later.
    for (const linked of change.linkBack) await this.models.Ticket.updateOne({ _id: linked }, { $addToSet: { linkedTicketIds: change.ticketId } });
    const set = Object.keys(change.set).length ? { $set: change.set } : {};
    const reopen = change.reopened ? { $inc: { 'metrics.reopenCount': 1 } } : {};
    await this.models.Ticket.updateOne({ _id: change.ticketId }, { ...set, ...reopen, $addToSet: { participants: { $each: change.participants } } });
    await addTicketTerms(this.models, change.ticketId, change.searchTerms);
    await recordNews(this.models, change.ticketId, { at: new Date(), by: null });
    await refreshTicketStats(this.models, change.ticketId);
  }

  /** Writes what finishes the batch's mails (those not lost): bouncing recipients, trail, relations, then the completion marks. */
  async finish(): Promise<void> {
    await this.flush();
    await this.guarded(async () => {
      const finishes = this.finishes.filter((f) => !this.isLost(f.messageDocId));
      this.finishes = [];
      const bouncing = finishes.flatMap((f) => f.bouncing.map((b) => ({ ...b, at: f.at })));
      if (bouncing.length > 0) {
        await this.models.Contact.bulkWrite(
          bouncing.map((b) => ({
            updateOne: {
              filter: { email: b.email },
              update: { $set: { 'bounce.bouncing': true, 'bounce.lastBounceAt': b.at, 'bounce.reason': b.reason } },
              upsert: true,
            },
          })),
          { ordered: true },
        );
      }
      await recordEvents(this.models, finishes.flatMap((f) => f.events));
      await relateTickets(this.models, finishes.flatMap((f) => f.related));
      if (finishes.length > 0) await this.models.Message.updateMany({ _id: { $in: finishes.map((f) => f.messageDocId) } }, { $set: { ingestState: 'complete' } });
    });
  }

  private async guarded(write: () => Promise<void>): Promise<void> {
    if (this.error) throw this.error;
    try {
      await write();
    } catch (err) {
      this.error = err;
      throw err;
    }
  }

  /** One unordered insert; a message that lost a dedupe race is noted in `lost`. */
  private async insertMessages(messages: PendingMessage[]): Promise<void> {
    const lostNow = new Set<string>();
    try {
      await this.models.Message.collection.insertMany(messages.map((m) => m.doc), { ordered: false });
    } catch (err) {
      const errors = writeErrorsOf(err);
      if (!errors || errors.some((e) => e.code !== DUPLICATE_KEY || !messages[e.index])) throw err;
      for (const e of errors) {
        const m = messages[e.index]!;
        lostNow.add(m.doc._id.toHexString());
        this.lostIds.add(m.doc._id.toHexString());
        this.lost.push(m);
      }
    }
    for (const m of messages) if (!lostNow.has(m.doc._id.toHexString())) this.onStored();
  }
}
