import type { Types } from 'mongoose';
import { canIngestAnyway, reasonKey, type QuarantineReason } from '../../domain/quarantine-reasons.js';
import { AppError } from '../../domain/errors.js';
import type { QuarantineDoc } from '../../store/models/quarantine.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';
import { parseObjectId, type Actor } from '../access.js';

/** A quarantined mail as the pages and the API show it. */
export interface QuarantineView {
  id: string;
  inboxId: string;
  reason: string;
  /** The reason's catalog code (`OTHER` for a code this version does not know). */
  reasonKey: QuarantineReason | 'OTHER';
  detail: string;
  from: string | null;
  subject: string | null;
  size: number;
  createdAt: Date;
  source: { folder: string; uidValidity: string; uid: number } | null;
  /** Whether the raw mail is still kept (it can be downloaded). */
  hasRaw: boolean;
  /** Whether "ingest anyway" is offered: never for security refusals. */
  canIngest: boolean;
}

/** The view of one stored entry. */
export function toQuarantineView(doc: QuarantineDoc): QuarantineView {
  return {
    id: doc._id.toHexString(),
    inboxId: doc.inboxId.toHexString(),
    reason: doc.reason,
    reasonKey: reasonKey(doc.reason),
    detail: doc.detail ?? '',
    from: doc.from ?? null,
    subject: doc.subject ?? null,
    size: doc.size,
    createdAt: doc.createdAt,
    source: doc.source ? { folder: doc.source.folder, uidValidity: doc.source.uidValidity, uid: doc.source.uid } : null,
    hasRaw: Boolean(doc.raw?.fileId),
    canIngest: canIngestAnyway(doc.reason),
  };
}

/**
 * The quarantine is for admins only: it holds raw mail of every inbox, including refused mail aimed at
 * agents' notification addresses, so managers and agents get 403.
 */
export function requireQuarantineAccess(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'The quarantine is for admins.');
}

/** One entry by its id, for an admin; 404 for a malformed or unknown id. */
export async function findQuarantined(deps: { quarantine: Pick<QuarantineStore, 'findById'> }, actor: Actor, id: string): Promise<QuarantineDoc> {
  requireQuarantineAccess(actor);
  const oid: Types.ObjectId | null = parseObjectId(id);
  const doc = oid ? await deps.quarantine.findById(oid) : null;
  if (!doc) throw new AppError('NOT_FOUND', 'No such quarantined mail.');
  return doc;
}
