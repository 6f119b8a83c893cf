import type { Types } from 'mongoose';
import { ERASED_NAME, ERASED_TEXT, erasedAddress, mentionsAny, needsScrub, scrubDeep, scrubText } from '../domain/erasure.js';
import { notificationDedupeKey } from '../domain/notification-mail.js';
import { OUTBOX_KINDS } from '../domain/outbox.js';
import type { ErasureTarget } from './erasure-writes.js';
import type { Models } from './models/index.js';
import { chunksOf } from '../domain/chunks.js';

const ID_CHUNK = 200;

/** The size of a stored Buffer, read lean (a driver Binary) or hydrated (a Buffer). */
function byteLength(value: unknown): number {
  if (Buffer.isBuffer(value)) return value.length;
  const binary = value as { length?: unknown } | null | undefined;
  return typeof binary?.length === 'function' ? Number((binary.length as () => number)()) : 0;
}

/** Free text the person wrote that trail entries and notifications copy: dropped whole, not scrubbed. */
const WRITTEN_BY_THEM = new Set(['comment', 'excerpt']);

/**
 * The erasure steps outside messages, tickets and contacts (store/erasure-writes.ts): the trail,
 * notifications, the outbox, satisfaction ratings, side conversations, reply drafts, quarantine,
 * spam blocks and export archives. Each is idempotent: it rewrites what still holds the person's data.
 */
export function createErasureSideWrites(models: Models, removeBlob: (id: Types.ObjectId) => Promise<void>) {
  const { TicketEvent, Notification, Outbox, SatisfactionRating, SideConversation, ReplyDraft, Quarantine, SpamBlock, PersonalDataExport } = models;

  const mapAddresses = (list: readonly string[] | null | undefined, target: ErasureTarget) => {
    const placeholder = erasedAddress(target.personId);
    return list == null ? list : [...new Set(list.map((a) => (target.addresses.includes(a.toLowerCase()) ? placeholder : scrubText(a, target.needles))))];
  };

  return {
    /** Trail entries of the tickets: the person's addresses and names scrubbed from their data and actor label, their comments dropped; types and times stay. */
    async scrubTrail(ticketIds: Types.ObjectId[], ownTicketIds: Types.ObjectId[], target: ErasureTarget): Promise<number> {
      const own = new Set(ownTicketIds.map((id) => id.toHexString()));
      let changed = 0;
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for await (const e of TicketEvent.find({ ticketId: { $in: ids } }, { ticketId: 1, data: 1, actor: 1 }).lean().cursor()) {
          // A partner's answer on the person's ticket quotes the person's subject.
          const drop = own.has(e.ticketId.toHexString()) ? new Set([...WRITTEN_BY_THEM, 'subject']) : WRITTEN_BY_THEM;
          const label = e.actor?.label ?? null;
          if (!needsScrub(e.data ?? {}, target.needles, drop) && !mentionsAny(label ?? '', target.needles)) continue;
          await TicketEvent.updateOne({ _id: e._id }, { $set: { data: scrubDeep(e.data ?? {}, target.needles, drop), 'actor.label': label == null ? null : scrubText(label, target.needles) } });
          changed += 1;
        }
      }
      return changed;
    },

    /** Agents' notifications about the tickets: excerpts dropped, the person's subject replaced, addresses and names scrubbed. */
    async scrubNotifications(ticketIds: Types.ObjectId[], ownTicketIds: Types.ObjectId[], target: ErasureTarget): Promise<number> {
      const own = new Set(ownTicketIds.map((id) => id.toHexString()));
      let changed = 0;
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for await (const n of Notification.find({ ticketId: { $in: ids } }, { ticketId: 1, ticketSubject: 1, data: 1 }).lean().cursor()) {
          const subject = own.has(n.ticketId.toHexString()) ? ERASED_TEXT : scrubText(n.ticketSubject ?? '', target.needles);
          if (subject === n.ticketSubject && !needsScrub(n.data ?? {}, target.needles, WRITTEN_BY_THEM)) continue;
          await Notification.updateOne({ _id: n._id }, { $set: { ticketSubject: subject, data: scrubDeep(n.data ?? {}, target.needles, WRITTEN_BY_THEM) } });
          changed += 1;
        }
      }
      return changed;
    },

    /**
     * The outbox: a mail to the person, an agent's notification mail about their tickets, and any
     * other sent mail about their tickets loses its bytes (and their GridFS copy), its subject and the
     * person's address in the envelope; one of the first two still waiting is failed rather than sent empty.
     */
    async eraseOutbox(ticketIds: Types.ObjectId[], ownTicketIds: Types.ObjectId[], target: ErasureTarget, now: Date): Promise<number> {
      const own = new Set(ownTicketIds.map((id) => id.toHexString()));
      const placeholder = erasedAddress(target.personId);
      // Agents' notification mails name no ticket: they are found through the notifications they carried.
      const mailKeys = new Set<string>();
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for (const batch of await Notification.distinct('mailBatch', { ticketId: { $in: ids }, mailBatch: { $ne: null } })) if (batch) mailKeys.add(notificationDedupeKey(String(batch)));
      }
      let erased = 0;
      const rows = async function* () {
        for (const ids of chunksOf(ticketIds, ID_CHUNK)) yield* Outbox.find({ ticketId: { $in: ids } }).lean().cursor();
        // Every kind named, so the (kind, envelope.to) index serves it.
        yield* Outbox.find({ kind: { $in: [...OUTBOX_KINDS] }, 'envelope.to': { $in: target.addresses } }).lean().cursor();
        for (const keys of chunksOf([...mailKeys], ID_CHUNK)) yield* Outbox.find({ dedupeKey: { $in: keys } }).lean().cursor();
      };
      for await (const o of rows()) {
        const notice = Boolean(o.dedupeKey && mailKeys.has(o.dedupeKey));
        const toThem = o.envelope.to.some((a) => target.addresses.includes(a.toLowerCase()) || a === placeholder);
        const settled = o.state === 'sent' || o.state === 'failed';
        if (!toThem && !notice && !settled) continue;
        const subject = notice || (o.ticketId && own.has(o.ticketId.toHexString())) ? ERASED_TEXT : scrubText(o.subject, target.needles);
        const envelopeTo = mapAddresses(o.envelope.to, target) ?? [];
        if (!o.rawBlobId && byteLength(o.raw) === 0 && subject === o.subject && envelopeTo.join() === o.envelope.to.join()) continue;
        if (o.rawBlobId) await removeBlob(o.rawBlobId);
        const failIfWaiting = (toThem || notice) && !settled ? { state: 'failed', lastError: { code: 'PERSON_ERASED', message: 'The recipient was erased', smtpCode: null, at: now }, claimedBy: null, claimedUntil: null, nextAttemptAt: null } : {};
        await Outbox.updateOne(
          { _id: o._id },
          {
            $set: {
              raw: Buffer.alloc(0),
              rawBlobId: null,
              subject,
              'envelope.to': envelopeTo,
              smtpResponse: o.smtpResponse == null ? null : scrubText(o.smtpResponse, target.needles),
              ...failIfWaiting,
            },
          },
        );
        erased += 1;
      }
      return erased;
    },

    /** Satisfaction surveys of the person: the address becomes the placeholder and the comment goes; the rating stays (reports count it). */
    async eraseRatings(ownTicketIds: Types.ObjectId[], target: ErasureTarget): Promise<number> {
      const placeholder = erasedAddress(target.personId);
      let erased = 0;
      const filters = [{ email: { $in: target.addresses } }, ...chunksOf(ownTicketIds, ID_CHUNK).map((ids) => ({ ticketId: { $in: ids }, $or: [{ comment: { $ne: null } }, { email: { $ne: placeholder } }] }))];
      for (const filter of filters) erased += (await SatisfactionRating.updateMany(filter, { $set: { email: placeholder, comment: null } })).modifiedCount;
      return erased;
    },

    /** Side conversations about the tickets: the person's addresses and names scrubbed from recipients, participants and subject. */
    async scrubSideConversations(ticketIds: Types.ObjectId[], target: ErasureTarget): Promise<void> {
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for (const sc of await SideConversation.find({ ticketId: { $in: ids } }, { subject: 1, to: 1, participants: 1 }).lean()) {
          const to = sc.to.map((a) => (target.addresses.includes(a.address.toLowerCase()) ? { address: erasedAddress(target.personId), name: ERASED_NAME } : { address: a.address, name: a.name == null ? null : scrubText(a.name, target.needles) }));
          const next = { subject: scrubText(sc.subject, target.needles), to, participants: mapAddresses(sc.participants, target) ?? [] };
          if (JSON.stringify(next) !== JSON.stringify({ subject: sc.subject, to: sc.to, participants: sc.participants })) await SideConversation.updateOne({ _id: sc._id }, { $set: next });
        }
      }
    },

    /** Unsent replies: to the person's own tickets they are deleted (they answer and quote them); on others, scrubbed. */
    async eraseDrafts(ticketIds: Types.ObjectId[], ownTicketIds: Types.ObjectId[], target: ErasureTarget): Promise<void> {
      for (const ids of chunksOf(ownTicketIds, ID_CHUNK)) await ReplyDraft.deleteMany({ ticketId: { $in: ids } });
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for (const d of await ReplyDraft.find({ ticketId: { $in: ids } }).lean()) {
          const next = { text: scrubText(d.text, target.needles), html: d.html == null ? null : scrubText(d.html, target.needles), to: mapAddresses(d.to, target) ?? null, cc: mapAddresses(d.cc, target) ?? null, bcc: mapAddresses(d.bcc, target) ?? null };
          if (JSON.stringify(next) !== JSON.stringify({ text: d.text, html: d.html ?? null, to: d.to ?? null, cc: d.cc ?? null, bcc: d.bcc ?? null })) await ReplyDraft.updateOne({ _id: d._id }, { $set: next });
        }
      }
    },

    /** Quarantined mail from the person: deleted with its raw copy. Read whole: the sender is kept as written. */
    async eraseQuarantine(target: ErasureTarget, count = false): Promise<number> {
      let erased = 0;
      for await (const q of Quarantine.find({}, { from: 1, subject: 1, raw: 1 }).lean().cursor()) {
        if (!mentionsAny(q.from ?? '', target.addresses)) continue;
        erased += 1;
        if (count) continue;
        if (q.raw?.fileId) await removeBlob(q.raw.fileId);
        await Quarantine.deleteOne({ _id: q._id });
      }
      return erased;
    },

    /** How many outbox mails went to the person (the preview). */
    countOutbox(target: ErasureTarget): Promise<number> {
      return Outbox.countDocuments({ kind: { $in: [...OUTBOX_KINDS] }, 'envelope.to': { $in: target.addresses } });
    },

    /** How many satisfaction surveys asked the person (the preview). */
    countRatings(target: ErasureTarget): Promise<number> {
      return SatisfactionRating.countDocuments({ email: { $in: target.addresses } });
    },

    /** Block-list entries of the person's addresses: removed (a block names them). */
    async removeSpamBlocks(target: ErasureTarget): Promise<void> {
      await SpamBlock.deleteMany({ kind: 'sender', value: { $in: target.addresses } });
    },

    /** Export archives of the person still stored: removed (they hold everything the erasure removes). */
    async removeExportArchives(contactIds: Types.ObjectId[]): Promise<void> {
      for (const x of await PersonalDataExport.find({ contactId: { $in: contactIds }, fileId: { $ne: null } }, { fileId: 1 }).lean()) {
        await removeBlob(x.fileId!);
        await PersonalDataExport.updateOne({ _id: x._id }, { $set: { fileId: null } });
      }
    },
  };
}
