import { Types } from 'mongoose';
import { ACCESS_LOG_DETAIL_MAX, type AccessAction, type AccessLogId, type AccessLogInput } from '../domain/access-log.js';
import type { AccessLogDoc } from './models/access-log.js';
import type { Models } from './models/index.js';

function oid(id: AccessLogId | null | undefined): Types.ObjectId | null {
  if (!id) return null;
  return id instanceof Types.ObjectId ? id : new Types.ObjectId(id.toHexString());
}

/** What the access log is listed by; every criterion is optional. */
export interface AccessLogListQuery {
  userId?: Types.ObjectId;
  action?: AccessAction;
  ticketId?: Types.ObjectId;
  /** `at` from (included) and to (excluded). */
  from?: Date;
  to?: Date;
  /** Keyset paging: entries strictly older than this one (newest first). */
  before?: { at: Date; id: Types.ObjectId };
  limit: number;
}

/** The access log (store/models/access-log.ts), the only code that queries it. */
export function createAccessLogStore(models: Pick<Models, 'AccessLog'>) {
  const { AccessLog } = models;
  return {
    /** Appends one entry (a single insert). */
    async record(entry: AccessLogInput): Promise<void> {
      await AccessLog.create({
        at: entry.at,
        userId: oid(entry.userId),
        action: entry.action,
        ticketId: oid(entry.ticketId),
        inboxId: oid(entry.inboxId),
        contactId: oid(entry.contactId),
        detail: entry.detail ? entry.detail.slice(0, ACCESS_LOG_DETAIL_MAX) : null,
      });
    },

    /** Entries newest first, up to `limit`. */
    list(q: AccessLogListQuery): Promise<AccessLogDoc[]> {
      const filter: Record<string, unknown> = {};
      if (q.userId) filter.userId = q.userId;
      if (q.action) filter.action = q.action;
      if (q.ticketId) filter.ticketId = q.ticketId;
      if (q.from || q.to) filter.at = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
      if (q.before) filter.$or = [{ at: { $lt: q.before.at } }, { at: q.before.at, _id: { $lt: q.before.id } }];
      return AccessLog.find(filter).sort({ at: -1, _id: -1 }).limit(q.limit).lean<AccessLogDoc[]>().exec();
    },

    /** Removes every entry recorded before `cutoff`; returns how many went. Running it again removes nothing more. */
    async purgeBefore(cutoff: Date): Promise<number> {
      return (await AccessLog.deleteMany({ at: { $lt: cutoff } })).deletedCount;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type AccessLogStore = ReturnType<typeof createAccessLogStore>;
