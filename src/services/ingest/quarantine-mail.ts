import type { Types } from 'mongoose';
import { rawHeadline } from '../../domain/raw-headline.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';

export interface QuarantineInput {
  inboxId: Types.ObjectId;
  raw: Buffer;
  contentHash: string;
  reason: string;
  detail: string;
  source: { folder: string; uidValidity: string; uid: number } | null;
  subject?: string | null;
  from?: string | null;
}

/**
 * Keeps a mail that cannot become part of a ticket, raw and with the reason, for admins to inspect.
 * Idempotent per inbox and content, so a re-sync or a second poller records it once.
 */
export async function quarantineMail(deps: { quarantine: Pick<QuarantineStore, 'recordOnce'>; blobs: BlobStore; now: () => Date }, input: QuarantineInput): Promise<Types.ObjectId> {
  const raw = await deps.blobs.put(input.raw, {
    filename: `${input.contentHash}.eml`,
    contentType: 'message/rfc822',
    key: `quarantine:${input.inboxId.toHexString()}:${input.contentHash}`,
  });
  // Mail that could not be parsed still shows its Subject and sender, read from the raw header block.
  const headline = input.subject === undefined || input.from === undefined ? rawHeadline(input.raw) : null;
  const subject = input.subject === undefined ? headline!.subject : input.subject;
  const from = input.from === undefined ? headline!.from : input.from;
  return deps.quarantine.recordOnce(input.inboxId, input.contentHash, {
    reason: input.reason,
    detail: input.detail.slice(0, 2000),
    size: input.raw.length,
    raw: { fileId: raw.id, size: raw.size, sha256: raw.sha256 },
    source: input.source,
    subject: subject?.slice(0, 500) ?? null,
    from: from ?? null,
    createdAt: deps.now(),
  });
}
