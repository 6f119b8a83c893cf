import type { Types } from 'mongoose';
import type { MailboxCursorDoc } from './models/mailbox.js';
import type { Models } from './models/index.js';

/**
 * Where each mailbox has been read up to (`mailbox_cursors`) and which process works it
 * (`mailbox_leases`). Every write here is conditional or atomic: the pollers' crash safety rests on it.
 */
export function createMailboxStateStore(models: Pick<Models, 'MailboxCursor' | 'MailboxLease'>) {
  const { MailboxCursor, MailboxLease } = models;
  return {
    /** A mailbox's cursor; null before its first sync. */
    findCursor(cursorId: string): Promise<MailboxCursorDoc | null> {
      return MailboxCursor.findById(cursorId).lean<MailboxCursorDoc>().exec();
    },

    /** Starts a mailbox's cursor over at UID 0 under this UIDVALIDITY (created if missing). */
    async resetCursor(cursorId: string, cursor: { inboxId: Types.ObjectId; folder: string; uidValidity: string; updatedAt: Date }): Promise<void> {
      await MailboxCursor.updateOne(
        { _id: cursorId },
        { $set: { inboxId: cursor.inboxId, folder: cursor.folder, uidValidity: cursor.uidValidity, lastUid: 0, updatedAt: cursor.updatedAt } },
        { upsert: true },
      );
    },

    /**
     * Moves a cursor up to `lastUid` (never back), only while it still has this UIDVALIDITY. Call it
     * only once the mails up to `lastUid` are stored.
     */
    async advanceCursor(cursorId: string, uidValidity: string, lastUid: number, updatedAt: Date): Promise<void> {
      await MailboxCursor.updateOne({ _id: cursorId, uidValidity }, { $max: { lastUid }, $set: { updatedAt } });
    },

    /**
     * Takes or renews the lease of a mailbox for `owner` until `expiresAt`: it is taken when free,
     * expired by `now`, or already the owner's. True when `owner` holds it afterwards; false when a
     * live process holds it (the insert of a held lease fails with a duplicate key).
     */
    async acquireLease(mailboxId: string, owner: string, now: Date, expiresAt: Date): Promise<boolean> {
      try {
        const lease = await MailboxLease.findOneAndUpdate(
          { _id: mailboxId, $or: [{ owner }, { expiresAt: { $lte: now } }] },
          { $set: { owner, expiresAt }, $setOnInsert: { acquiredAt: now } },
          { upsert: true, returnDocument: 'after', lean: true },
        );
        return lease?.owner === owner;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false; // held by a live process
        throw err;
      }
    },

    /** Gives up every lease `owner` holds (on shutdown), so other processes may take them at once. */
    async releaseLeases(owner: string): Promise<void> {
      await MailboxLease.deleteMany({ owner });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type MailboxStateStore = ReturnType<typeof createMailboxStateStore>;
