import type { Types } from 'mongoose';
import type { OutboxKind } from '../domain/outbox.js';
import type { Models } from './models/index.js';
import type { OutboxDoc } from './models/outbox.js';

/** A mail as queueMail writes it to the outbox; the schema fills in the rest (attempts, claim, timestamps). */
export interface NewOutboxItem {
  _id: Types.ObjectId;
  kind: OutboxKind;
  inboxId: Types.ObjectId;
  ticketId: Types.ObjectId | null;
  messageId: string;
  subject: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
  rawBlobId?: Types.ObjectId;
  state: 'pending';
  dedupeKey?: string;
}

const UNCLAIMED = { claimedBy: null, claimedUntil: null };

/** The outbox: mail queued for delivery, claimed by one delivery run at a time. */
export function createOutboxStore(models: Pick<Models, 'Outbox'>) {
  const { Outbox } = models;
  return {
    /** The mail queued under this dedupe key, if any. */
    async findByDedupeKey(dedupeKey: string): Promise<OutboxDoc | null> {
      return Outbox.findOne({ dedupeKey }).lean();
    },

    /** One queued mail, whole. */
    async findById(id: Types.ObjectId): Promise<OutboxDoc | null> {
      return Outbox.findById(id).lean();
    },

    /** One queued mail without its stored bytes. */
    async findByIdWithoutRaw(id: Types.ObjectId): Promise<OutboxDoc | null> {
      return Outbox.findById(id, { raw: 0 }).lean();
    },

    /** Whether a mail is queued under this dedupe key. */
    async existsWithDedupeKey(dedupeKey: string): Promise<boolean> {
      return (await Outbox.exists({ dedupeKey })) !== null;
    },

    /** Inserts a new mail; a taken dedupe key fails with the driver's duplicate-key error (11000). */
    async insert(item: NewOutboxItem): Promise<void> {
      await Outbox.create(item);
    },

    /** The newest auto-reply sent to this address (its `createdAt` only), other than the one queued under `exceptDedupeKey`. */
    async findLastAutoReplyTo(address: string, exceptDedupeKey: string): Promise<Pick<OutboxDoc, '_id' | 'createdAt'> | null> {
      return Outbox.findOne({ kind: 'auto-reply', 'envelope.to': address, dedupeKey: { $ne: exceptDedupeKey } }, { createdAt: 1 }).sort({ createdAt: -1 }).lean();
    },

    /** How many auto-replies this inbox queued since then, other than the one queued under `exceptDedupeKey`. */
    async countAutoRepliesSince(inboxId: Types.ObjectId, since: Date, exceptDedupeKey: string): Promise<number> {
      return Outbox.countDocuments({ kind: 'auto-reply', inboxId, createdAt: { $gte: since }, dedupeKey: { $ne: exceptDedupeKey } });
    },

    /**
     * Claims the mail for one delivery run until `now + leaseMs` and counts the attempt: a pending
     * mail, or one left 'sending' by a run whose claim expired. Null when held elsewhere or settled.
     */
    async claim(id: Types.ObjectId, claimedBy: string, now: Date, leaseMs: number): Promise<OutboxDoc | null> {
      return Outbox.findOneAndUpdate(
        { _id: id, $or: [{ state: 'pending' }, { state: 'sending', $or: [{ claimedUntil: null }, { claimedUntil: { $lte: now } }] }] },
        { $set: { state: 'sending', claimedBy, claimedUntil: new Date(now.getTime() + leaseMs) }, $inc: { attempts: 1 } },
        { returnDocument: 'after', lean: true },
      );
    },

    /** Extends a delivery run's claim, if that run still holds it. */
    async renewClaim(id: Types.ObjectId, claimedBy: string, until: Date): Promise<void> {
      await Outbox.updateOne({ _id: id, state: 'sending', claimedBy }, { $set: { claimedUntil: until } });
    },

    /** Settles a mail as sent (with the server's response) or failed (with the error), releasing its claim. */
    async markSettled(id: Types.ObjectId, state: 'sent' | 'failed', at: Date, detail: { response?: string; error?: OutboxDoc['lastError'] }): Promise<void> {
      await Outbox.updateOne(
        { _id: id },
        { $set: { state, ...UNCLAIMED, ...(state === 'sent' ? { sentAt: at, smtpResponse: detail.response ?? null, nextAttemptAt: null } : { lastError: detail.error, nextAttemptAt: null }) } },
      );
    },

    /**
     * Hands a mail back to pending without counting the attempt (its inbox is disabled: the mail is
     * held, not failed), releasing its claim, to be looked at again at `nextAttemptAt`.
     */
    async holdDelivery(id: Types.ObjectId, reason: OutboxDoc['lastError'], nextAttemptAt: Date): Promise<void> {
      await Outbox.updateOne({ _id: id, state: 'sending' }, { $set: { state: 'pending', ...UNCLAIMED, lastError: reason, nextAttemptAt }, $inc: { attempts: -1 } });
    },

    /**
     * Cancels the mail of these kinds still waiting to be sent for a ticket (not one a delivery run
     * holds): each is settled as failed with `reason`, only if still pending. Returns the cancelled ones.
     */
    async cancelPendingOfTicket(ticketId: Types.ObjectId, kinds: readonly OutboxKind[], reason: NonNullable<OutboxDoc['lastError']>): Promise<Array<Pick<OutboxDoc, '_id' | 'messageId' | 'kind'>>> {
      const waiting = await Outbox.find({ ticketId, state: 'pending', kind: { $in: [...kinds] } }, { messageId: 1, kind: 1 }).lean();
      const cancelled: Array<Pick<OutboxDoc, '_id' | 'messageId' | 'kind'>> = [];
      for (const item of waiting) {
        const res = await Outbox.updateOne({ _id: item._id, state: 'pending' }, { $set: { state: 'failed', ...UNCLAIMED, lastError: reason, nextAttemptAt: null } });
        if (res.modifiedCount > 0) cancelled.push(item);
      }
      return cancelled;
    },

    /** Hands a mail back to pending after a transient failure, releasing its claim, to be tried again at `nextAttemptAt`. */
    async deferDelivery(id: Types.ObjectId, error: OutboxDoc['lastError'], nextAttemptAt: Date): Promise<void> {
      await Outbox.updateOne({ _id: id }, { $set: { state: 'pending', ...UNCLAIMED, lastError: error, nextAttemptAt } });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type OutboxStore = ReturnType<typeof createOutboxStore>;
