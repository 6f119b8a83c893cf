import { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { requireQuarantineAccess, toQuarantineView, type QuarantineView } from './quarantine-view.js';

/** Entries per page when the caller names no limit, and the most a page may hold. */
export const QUARANTINE_PAGE = 50;
const MAX_PAGE = 200;

export interface ListQuarantineInput {
  /** Only this inbox (an id). */
  inbox?: string;
  /** Only this reason code. */
  reason?: string;
  /** The `next` cursor of the previous page. */
  cursor?: string;
  limit?: number;
}

/** A keyset cursor: the last entry's time (ms) and id. */
const cursorOf = (v: QuarantineView) => `${v.createdAt.getTime()}.${v.id}`;

function parseCursor(cursor: string): { createdAt: Date; id: Types.ObjectId } {
  const m = /^(\d{1,15})\.([0-9a-f]{24})$/i.exec(cursor);
  if (!m) throw new AppError('VALIDATION_FAILED', 'Invalid cursor.', { details: { issues: [{ path: 'cursor', message: 'Invalid cursor.' }] } });
  return { createdAt: new Date(Number(m[1])), id: new Types.ObjectId(m[2]) };
}

/**
 * The quarantined mail, newest first, a page at a time (keyset paging: `nextCursor` is the cursor of the
 * following page, null on the last). Admins only; filter by inbox and by reason.
 */
export async function listQuarantine(deps: { quarantine: Pick<QuarantineStore, 'list'> }, actor: Actor, input: ListQuarantineInput): Promise<{ items: QuarantineView[]; nextCursor: string | null }> {
  requireQuarantineAccess(actor);
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? QUARANTINE_PAGE) || QUARANTINE_PAGE, 1), MAX_PAGE);
  let inboxIds: Types.ObjectId[] | undefined;
  if (input.inbox) {
    const id = parseObjectId(input.inbox);
    if (!id) throw new AppError('VALIDATION_FAILED', 'Invalid inbox.', { details: { issues: [{ path: 'inbox', message: 'Invalid inbox id.' }] } });
    inboxIds = [id];
  }
  const docs = await deps.quarantine.list({
    ...(inboxIds ? { inboxIds } : {}),
    ...(input.reason ? { reason: input.reason.slice(0, 100) } : {}),
    ...(input.cursor ? { before: parseCursor(input.cursor) } : {}),
    limit: limit + 1,
  });
  const items = docs.slice(0, limit).map(toQuarantineView);
  return { items, nextCursor: docs.length > limit ? cursorOf(items[items.length - 1]!) : null };
}
