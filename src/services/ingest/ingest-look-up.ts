import type { Types } from 'mongoose';
import { classifyMail, storesSource, type MailClass } from '../../domain/ingest-classify.js';
import type { StoredFiles } from '../../domain/ingest-plan.js';
import { notificationTagIn, tagRecipientsOf } from '../../domain/notification-reply.js';
import type { ParsedMail } from '../../domain/mail.js';
import { blockKeysOf, type SpamBlock } from '../../domain/spam.js';
import type { StoredBlob } from '../../store/blob-store.js';
import type { AttachmentRef } from '../../store/models/message.js';
import { loadThreadKeyIndex, type ThreadKeyIndex } from './find-thread.js';
import type { IngestDeps, IngestInput } from './ingest-ports.js';

/** A received mail, parsed, with its dedupe key. */
export interface ParsedInput extends IngestInput {
  mail: ParsedMail;
  contentHash: string;
  dedupeKey: string;
}

/** Where a received mail's raw source and attachments are stored. */
export type MessageFiles = StoredFiles<Types.ObjectId, AttachmentRef>;

/** A parsed mail with its class, ready to be planned. */
export interface ClassifiedMail extends ParsedInput {
  cls: MailClass<Types.ObjectId>;
  /** Its raw source and attachments, when the batch stored them up front. */
  files: MessageFiles | null;
  /** The inbox's block-list entry its sender matches (address or domain), or null. */
  blocked: SpamBlock | null;
}

/** The sender a mail's block-list check reads: as domain/ingest-classify.ts mailFacts takes it. */
const senderOf = (mail: ParsedMail) => (mail.from ?? mail.sender)?.address.toLowerCase() ?? null;

/** What a batch looked up once for all its mails. */
export interface BatchLookUp {
  mails: ClassifiedMail[];
  /** Thread keys of the stored messages; release it when the batch is done. */
  index: ThreadKeyIndex;
}

function attachmentBlobs(mail: ParsedMail, dedupeKey: string) {
  return mail.attachments.map((att, i) => ({ data: att.content, filename: att.filename ?? `part-${i + 1}`, contentType: att.contentType, key: `att:${dedupeKey}:${i}` }));
}

function attachmentRefs(mail: ParsedMail, stored: StoredBlob[]): AttachmentRef[] {
  return mail.attachments.map((att, i) => ({ fileId: stored[i]!.id, filename: att.filename, contentType: att.contentType, size: stored[i]!.size, sha256: stored[i]!.sha256, contentId: att.contentId, inline: att.inline }));
}

const filesOf = (raw: StoredBlob, attachments: AttachmentRef[]): MessageFiles => ({ raw: { fileId: raw.id, size: raw.size, sha256: raw.sha256 }, attachments });

/**
 * One query each for the batch's stored copies and for our own outbound mails among them (and our
 * addresses, when a recipient has a sub-address that may be a notification tag); then each mail's class.
 */
async function classifyAll(deps: IngestDeps, mails: ParsedInput[]): Promise<ClassifiedMail[]> {
  const ids = [...new Set(mails.map((p) => p.mail.messageId).filter((id): id is string => !!id))];
  const recipients = mails.map((p) => tagRecipientsOf(p.mail).filter((r) => r.includes('+')));
  const senders = mails.map((p) => senderOf(p.mail));
  const blockValues = [...new Set(senders.flatMap((s) => (s ? blockKeysOf(s) : [])))];
  const [stored, ours, own, blocks] = await Promise.all([
    deps.messages.listByDedupeKeys(mails.map((p) => p.dedupeKey)),
    ids.length > 0 ? deps.messages.listOutboundByMessageIds(ids) : [],
    recipients.some((r) => r.length > 0) ? deps.ownAddresses() : new Set<string>(),
    blockValues.length > 0 ? deps.spamBlocks.listMatches([...new Map(mails.map((p) => [p.inboxId.toHexString(), p.inboxId])).values()], blockValues) : [],
  ]);
  const blockOf = (inboxId: Types.ObjectId, sender: string | null): SpamBlock | null => {
    if (!sender) return null;
    const keys = blockKeysOf(sender);
    const hit = blocks.find((b) => b.inboxId.equals(inboxId) && keys.includes(b.value));
    return hit ? { kind: hit.kind, value: hit.value } : null;
  };
  const byKey = new Map(stored.map((m) => [m.dedupeKey!, { messageDocId: m._id, ticketId: m.ticketId, complete: m.ingestState === 'complete' }]));
  const echoes = new Map(ours.map((m) => [m.messageId!, m.ticketId]));
  return mails.map((p, i) => {
    const tag = recipients[i]!.length > 0 ? notificationTagIn(recipients[i]!, own, deps.sign) : null;
    return { ...p, cls: classifyMail(p.mail, byKey.get(p.dedupeKey) ?? null, (p.mail.messageId && echoes.get(p.mail.messageId)) || null, tag), files: null, blocked: blockOf(p.inboxId, senders[i]!) };
  });
}

/**
 * Looks up what the batch's mails need from the database, all at once: their stored copies, our own
 * outbound copies, the tickets of their thread keys. With more than one mail, the raw sources and
 * attachments of the mails that will surely be stored go in together too (a lone mail, the usual
 * case while idling, stores its source after its ticket, so the ticket shows sooner).
 */
export async function lookUpBatch(deps: IngestDeps, parsed: ParsedInput[]): Promise<BatchLookUp> {
  const [index, classified] = await Promise.allSettled([loadThreadKeyIndex(deps.messages, parsed.map((p) => p.mail)), classifyAll(deps, parsed)]);
  if (index.status === 'rejected') throw index.reason;
  try {
    if (classified.status === 'rejected') throw classified.reason;
    const mails = classified.value;
    if (mails.length > 1) await storeFilesTogether(deps, mails.filter((m) => storesSource(m.cls)));
    return { mails, index: index.value };
  } catch (err) {
    index.value.release();
    throw err;
  }
}

/** Stores the raw sources and attachments of these mails in one go; as one by one, each source before its attachments. */
async function storeFilesTogether(deps: IngestDeps, mails: ClassifiedMail[]): Promise<void> {
  const blobs = mails.flatMap((m) => [
    { data: m.raw, filename: `${m.contentHash}.eml`, contentType: 'message/rfc822', key: `raw:${m.dedupeKey}` },
    ...attachmentBlobs(m.mail, m.dedupeKey),
  ]);
  const stored = await deps.blobs.putMany(blobs);
  let at = 0;
  for (const m of mails) {
    const raw = stored[at++]!;
    m.files = filesOf(raw, attachmentRefs(m.mail, stored.slice(at, at + m.mail.attachments.length)));
    at += m.mail.attachments.length;
  }
}

/** Stores one mail's raw source, then its attachments: a source stored only now means none of them exists yet. */
export async function storeFiles(deps: IngestDeps, m: ParsedInput): Promise<MessageFiles> {
  const raw = await deps.blobs.put(m.raw, { filename: `${m.contentHash}.eml`, contentType: 'message/rfc822', key: `raw:${m.dedupeKey}` });
  const stored: StoredBlob[] = [];
  for (const blob of attachmentBlobs(m.mail, m.dedupeKey)) stored.push(await deps.blobs.put(blob.data, { ...blob, fresh: !raw.reused }));
  return filesOf(raw, attachmentRefs(m.mail, stored));
}
