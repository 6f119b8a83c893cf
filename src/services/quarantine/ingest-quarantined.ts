import type { Types } from 'mongoose';
import { canIngestAnyway, liftsSizeLimit } from '../../domain/quarantine-reasons.js';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';
import type { Actor } from '../access.js';
import { ingestEmail, type IngestDeps } from '../ingest/ingest-email.js';
import { discardQuarantined } from './delete-quarantined.js';
import { findQuarantined } from './quarantine-view.js';

export interface IngestQuarantinedDeps {
  quarantine: Pick<QuarantineStore, 'findById' | 'remove'>;
  blobs: Pick<BlobStore, 'read' | 'remove'>;
  /** The pollers' ingest pipeline (src/roles/deps.ts `ingestDeps`). */
  ingest: IngestDeps;
  /** Parses a mail whatever its size: used only for mail quarantined because of the size limit. */
  parseAnySize: IngestDeps['parse'];
}

/** What "ingest anyway" did: the ticket the mail is now on, or the reason it is still set aside. */
export type IngestQuarantinedResult = { outcome: 'ingested'; ticketId: Types.ObjectId; created: boolean } | { outcome: 'still-quarantined'; reason: string };

/**
 * "Ingest anyway": runs a quarantined mail through the pollers' ingest pipeline again, lifting only
 * the rule that set it aside where lifting it makes sense (the size limit; a retry is itself the way
 * past repeated failures). Security refusals (a forged or misdirected answer to a notification) are
 * never lifted: 409, and the pages do not offer it. On success the entry and its raw file are removed
 * and the ticket is returned; ingest dedupes by Message-ID and content, so running it twice files
 * the mail once. A mail the pipeline quarantines again stays where it is.
 */
export async function ingestQuarantined(deps: IngestQuarantinedDeps, actor: Actor, id: string): Promise<IngestQuarantinedResult> {
  const doc = await findQuarantined(deps, actor, id);
  if (!canIngestAnyway(doc.reason)) throw new AppError('CONFLICT', 'This mail was refused for security reasons and cannot be ingested.');
  if (!doc.raw?.fileId) throw new AppError('NOT_FOUND', 'The raw mail is not kept.');
  const raw = await deps.blobs.read(doc.raw.fileId);
  const ingest = liftsSizeLimit(doc.reason) ? { ...deps.ingest, parse: deps.parseAnySize } : deps.ingest;
  const result = await ingestEmail(ingest, { inboxId: doc.inboxId, raw, source: doc.source ?? null });
  if (result.outcome === 'quarantined') return { outcome: 'still-quarantined', reason: result.reason };
  await discardQuarantined(deps, doc._id);
  return { outcome: 'ingested', ticketId: result.ticketId, created: result.outcome === 'ticketed' && result.created };
}
