import type { Types } from 'mongoose';
import type { NotificationKind } from '../domain/notifications.js';
import type { Models } from './models/index.js';
import type { NotificationDoc } from './models/notification.js';
import { isDuplicateKey } from './duplicate-key.js';

/** A notification to record: everything but what the store keeps track of itself. */
export type NotificationInput = Pick<NotificationDoc, 'userId' | 'kind' | 'key' | 'ticketId' | 'ticketNumber' | 'ticketSubject' | 'inboxId' | 'at' | 'data'> & {
  /** 'skipped' when the person does not want this kind mailed (it still shows in the app). */
  mail: 'pending' | 'skipped';
};


/** People's notifications (`notifications`): the in-app list and the mail batches. Every read names the person. */
export function createNotificationStore(models: Pick<Models, 'Notification'>) {
  const { Notification } = models;
  return {
    /**
     * Records notifications, each once per key: one already recorded (a retried job, a redelivered
     * event) is left as it is. Returns how many were new.
     */
    async recordMany(docs: readonly NotificationInput[]): Promise<number> {
      if (docs.length === 0) return 0;
      try {
        const res = await Notification.insertMany(docs.map((d) => ({ ...d, readAt: null, mailBatch: null, mailedAt: null })), { ordered: false, rawResult: true });
        return res.insertedCount;
      } catch (err) {
        const bulk = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }>; insertedDocs?: unknown[]; result?: { insertedCount?: number } };
        const errors = bulk.writeErrors ?? [];
        const onlyDuplicates = errors.length > 0 ? errors.every((e) => (e.code ?? e.err?.code) === 11000) : isDuplicateKey(err);
        if (!onlyDuplicates) throw err;
        return bulk.insertedDocs?.length ?? bulk.result?.insertedCount ?? 0;
      }
    },

    /** One notification by id (an agent's mailed answer names it); null when there is none. */
    findById(id: Types.ObjectId): Promise<NotificationDoc | null> {
      return Notification.findById(id).lean<NotificationDoc>().exec();
    },

    /** A person's newest notifications, newest first. */
    listRecent(userId: Types.ObjectId, limit: number): Promise<NotificationDoc[]> {
      return Notification.find({ userId }).sort({ at: -1, _id: -1 }).limit(limit).lean<NotificationDoc[]>().exec();
    },

    /** One of a person's notifications; null when there is none of that id, or it is someone else's. */
    findOwn(userId: Types.ObjectId, id: Types.ObjectId): Promise<NotificationDoc | null> {
      return Notification.findOne({ _id: id, userId }).lean<NotificationDoc>().exec();
    },

    /** How many of a person's notifications are unread, counting at most `limit`. */
    countUnread(userId: Types.ObjectId, limit: number): Promise<number> {
      return Notification.countDocuments({ userId, readAt: null }, { limit }).exec();
    },

    /** Marks some of a person's notifications (or all of them) read; returns how many changed. */
    async markRead(userId: Types.ObjectId, ids: readonly Types.ObjectId[] | 'all', at: Date): Promise<number> {
      const filter = ids === 'all' ? { userId, readAt: null } : { userId, _id: { $in: [...ids] }, readAt: null };
      return (await Notification.updateMany(filter, { $set: { readAt: at } })).modifiedCount;
    },

    /** The oldest notification still waiting for a mail, per kind, for one person. */
    async oldestPendingByKind(userId: Types.ObjectId): Promise<Array<{ kind: NotificationKind; at: Date }>> {
      const rows = await Notification.find({ userId, mail: 'pending' }, { kind: 1, at: 1 }).sort({ at: 1 }).lean<Array<Pick<NotificationDoc, 'kind' | 'at'>>>().exec();
      const oldest = new Map<NotificationKind, Date>();
      for (const r of rows) if (!oldest.has(r.kind)) oldest.set(r.kind, r.at);
      return [...oldest.entries()].map(([kind, at]) => ({ kind, at }));
    },

    /** When a kind was last mailed to a person; null when never. */
    async lastMailedAt(userId: Types.ObjectId, kind: NotificationKind): Promise<Date | null> {
      const last = await Notification.findOne({ userId, kind, mailedAt: { $ne: null } }, { mailedAt: 1 }).sort({ mailedAt: -1 }).lean<Pick<NotificationDoc, 'mailedAt'>>().exec();
      return last?.mailedAt ?? null;
    },

    /**
     * Claims a person's pending notifications of one kind that happened at or before `upTo` for one
     * mail, under `batchId`, and returns them (oldest first). A batch claimed and not yet sent (the
     * process died) is found again by {@link listUnsentBatches} and sent under the same id.
     */
    async claimBatch(userId: Types.ObjectId, kind: NotificationKind, upTo: Date, batchId: string): Promise<NotificationDoc[]> {
      await Notification.updateMany({ userId, mail: 'pending', kind, at: { $lte: upTo } }, { $set: { mail: 'batched', mailBatch: batchId } });
      return Notification.find({ mailBatch: batchId }).sort({ at: 1, _id: 1 }).lean<NotificationDoc[]>().exec();
    },

    /** A person's batches claimed but not marked sent, each with its notifications (oldest first). */
    async listUnsentBatches(userId: Types.ObjectId): Promise<Array<{ batchId: string; kind: NotificationKind; items: NotificationDoc[] }>> {
      const rows = await Notification.find({ userId, mail: 'batched' }).sort({ at: 1, _id: 1 }).lean<NotificationDoc[]>().exec();
      const batches = new Map<string, { batchId: string; kind: NotificationKind; items: NotificationDoc[] }>();
      for (const r of rows) {
        const id = r.mailBatch ?? '';
        const batch = batches.get(id) ?? { batchId: id, kind: r.kind, items: [] };
        batch.items.push(r);
        batches.set(id, batch);
      }
      return [...batches.values()];
    },

    /**
     * Gives up the mail of a person's notifications not mailed yet (pending, or claimed by a batch
     * never marked sent), all of them (the person is disabled or gone) or those named (tickets they
     * may no longer see). The in-app list keeps them. Returns how many changed.
     */
    async skipUnsent(userId: Types.ObjectId, ids?: readonly Types.ObjectId[]): Promise<number> {
      const filter = { userId, mail: { $in: ['pending' as const, 'batched' as const] }, ...(ids ? { _id: { $in: [...ids] } } : {}) };
      return (await Notification.updateMany(filter, { $set: { mail: 'skipped' } })).modifiedCount;
    },

    /** Marks a batch's notifications mailed at `at`. */
    async markBatchSent(batchId: string, at: Date): Promise<void> {
      await Notification.updateMany({ mailBatch: batchId, mail: 'batched' }, { $set: { mail: 'sent', mailedAt: at } });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type NotificationStore = ReturnType<typeof createNotificationStore>;
