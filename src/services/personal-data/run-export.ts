import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { isAppError } from '../../domain/errors.js';
import { archiveFilename } from '../../domain/personal-data-export.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { ContactDoc } from '../../store/models/contact.js';
import type { TicketEventDoc } from '../../store/models/ticket-event.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import type { PersonalDataExportStore } from '../../store/personal-data-export-store.js';
import type { SatisfactionStore } from '../../store/satisfaction-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import { writeArchive, type ArchiveDeps } from './export-archive.js';
import { chunksOf } from '../../domain/chunks.js';

/** The job that writes one export's archive (data: `key`, the export's id). */
export const PERSONAL_DATA_EXPORT_JOB = 'personal-data-export';

// Bounds each `$in` over the person's tickets.
const ID_CHUNK = 500;
const RATINGS_PER_CHUNK = 500;

/** What the export job needs. */
export interface RunExportDeps extends ArchiveDeps {
  personalDataExports: Pick<PersonalDataExportStore, 'findById' | 'startBuild' | 'markReady' | 'markFailed' | 'markExpired'>;
  personData: Pick<PersonDataStore, 'findPerson' | 'listTicketIds' | 'listMessages'>;
  tickets: Pick<TicketStore, 'listByIds'>;
  satisfaction: Pick<SatisfactionStore, 'list'>;
  trail: Pick<TrailStore, 'listConversation'>;
  blobs: Pick<BlobStore, 'open' | 'read' | 'put' | 'remove'>;
  now: () => Date;
  logger?: Pick<Logger, 'warn'>;
}

/** How a run ended: the archive written, nothing to do (already done, or another run's), or expired before it was built. */
export type RunExportOutcome = 'ready' | 'skipped' | 'expired';

const contactEntry = (c: ContactDoc) => ({ id: c._id.toHexString(), email: c.email, name: c.name ?? null, locale: c.locale ?? null, createdAt: c.createdAt, updatedAt: c.updatedAt });

/**
 * A ticket as the person's export shows it. The other people on it are other data subjects: the
 * requester is named only when it is the person, and only the person's own addresses among the participants.
 */
const ticketEntry = (t: TicketDoc, addresses: ReadonlySet<string>) => ({
  id: t._id.toHexString(),
  number: t.number,
  inboxId: t.inboxId.toHexString(),
  subject: t.subject,
  status: t.status,
  priority: t.priority,
  requester: addresses.has(t.requester.email.toLowerCase()) ? { email: t.requester.email, name: t.requester.name ?? null } : null,
  participants: t.participants.filter((p) => addresses.has(p.toLowerCase())),
  tags: t.tags,
  messageCount: t.messageCount,
  createdAt: t.createdAt,
  lastActivityAt: t.lastActivityAt,
  solvedAt: t.solvedAt ?? null,
  closedAt: t.closedAt ?? null,
  mergedIntoId: t.mergedIntoId?.toHexString() ?? null,
  satisfaction: t.satisfaction ?? null,
});

/**
 * `person.json`'s parts besides the messages: the person, their tickets, ratings and the trail entries
 * they caused (their mail arriving, their rating).
 */
async function sections(deps: RunExportDeps, person: { primary: ContactDoc; aliases: ContactDoc[]; addresses: string[] }, ticketIds: Types.ObjectId[]) {
  const tickets: TicketDoc[] = [];
  const ratings: Array<Record<string, unknown>> = [];
  const trail: Array<Record<string, unknown>> = [];
  const contactIds = new Set([person.primary, ...person.aliases].map((c) => c._id.toHexString()));
  const addresses = new Set(person.addresses);
  // Ingest names the sender by address (the label); a rating names nobody: it is the ticket's requester's.
  const causedBy = (e: TicketEventDoc, requester: string | undefined) =>
    e.actor.kind === 'contact' && (e.actor.id ? contactIds.has(e.actor.id.toHexString()) : e.actor.label ? addresses.has(e.actor.label.toLowerCase()) : requester !== undefined && addresses.has(requester));
  for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
    const rows = await deps.tickets.listByIds(ids);
    tickets.push(...rows);
    const numbers = new Map(rows.map((t) => [t._id.toHexString(), t.number]));
    const requesters = new Map(rows.map((t) => [t._id.toHexString(), t.requester.email.toLowerCase()]));
    for (const r of await deps.satisfaction.list({ ticketIds: ids }, RATINGS_PER_CHUNK)) {
      ratings.push({ ticketId: r.ticketId.toHexString(), ticketNumber: numbers.get(r.ticketId.toHexString()) ?? null, email: r.email, rating: r.rating, comment: r.comment, askedAt: r.askedAt, ratedAt: r.ratedAt, changedAt: r.changedAt });
    }
    // Each ticket's own trail: listConversation leaves out the `merged` entries of all but the first id.
    for (const id of ids) {
      for (const e of await deps.trail.listConversation([id])) {
        if (!causedBy(e, requesters.get(e.ticketId.toHexString()))) continue;
        trail.push({ ticketId: e.ticketId.toHexString(), ticketNumber: numbers.get(e.ticketId.toHexString()) ?? null, type: e.type, at: e.at, data: e.data });
      }
    }
  }
  tickets.sort((a, b) => a.number - b.number);
  return {
    sections: {
      person: { primary: contactEntry(person.primary), aliases: person.aliases.map(contactEntry), addresses: person.addresses },
      tickets: tickets.map((t) => ticketEntry(t, addresses)),
      satisfactionRatings: ratings,
      trail,
    },
    ticketNumbers: new Map(tickets.map((t) => [t._id.toHexString(), t.number])),
  };
}

/**
 * Writes one export's archive into GridFS and marks the export ready. Idempotent and crash-safe: the
 * file id is recorded before a byte is written, so a rerun (after a crash, or Agenda running the job
 * again) first removes whatever an earlier run left, then writes the archive anew; an export no longer
 * queued is left alone, and an archive finished after the export moved on is removed. On its last
 * attempt (`lastAttempt`) a failing run marks the export failed; before that the error is rethrown
 * for the job to be tried again.
 */
export async function runPersonalDataExport(deps: RunExportDeps, exportId: Types.ObjectId, opts: { lastAttempt?: boolean } = {}): Promise<RunExportOutcome> {
  const exp = await deps.personalDataExports.findById(exportId);
  if (!exp || exp.state !== 'queued') return 'skipped';
  const previous = exp.fileId;
  if (previous) await deps.blobs.remove(previous).catch(() => {});
  const now = deps.now();
  if (exp.expiresAt.getTime() <= now.getTime()) {
    await deps.personalDataExports.markExpired(exp._id, now);
    return 'expired';
  }
  const fileId = new Types.ObjectId();
  if (!(await deps.personalDataExports.startBuild(exp._id, previous, fileId))) return 'skipped';
  try {
    const person = await deps.personData.findPerson(exp.contactId);
    if (!person) {
      await deps.personalDataExports.markFailed(exp._id, 'CONTACT_GONE');
      return 'skipped';
    }
    const ticketIds = await deps.personData.listTicketIds(person.addresses, null);
    const { sections: parts, ticketNumbers } = await sections(deps, person, ticketIds);
    const archive = writeArchive(deps, { sections: parts, ticketIds, addresses: person.addresses, ticketNumbers, generatedAt: now });
    const [stored, written] = await Promise.all([
      deps.blobs.put(archive.stream, { id: fileId, filename: archiveFilename(exp.requestedAt, exp._id.toHexString()), contentType: 'application/zip', fresh: true }).catch((err: Error) => {
        archive.abort(err);
        throw err;
      }),
      archive.done,
    ]);
    const ready = await deps.personalDataExports.markReady(exp._id, { fileId, size: stored.size, counts: { tickets: ticketIds.length, messages: written.messages }, at: deps.now() });
    if (!ready) {
      await deps.blobs.remove(fileId).catch(() => {});
      return 'skipped';
    }
    return 'ready';
  } catch (err) {
    if (opts.lastAttempt) {
      await deps.blobs.remove(fileId).catch(() => {});
      await deps.personalDataExports.markFailed(exp._id, isAppError(err) ? err.code : 'INTERNAL');
    }
    deps.logger?.warn({ exportId: exp._id.toHexString(), err: (err as Error).message }, 'personal data export failed');
    throw err;
  }
}
