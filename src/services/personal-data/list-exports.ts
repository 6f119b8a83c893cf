import type { Types } from 'mongoose';
import { isDownloadable, shownState, type ExportState } from '../../domain/personal-data-export.js';
import type { PersonalDataExportDoc } from '../../store/models/personal-data-export.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import type { PersonalDataExportStore } from '../../store/personal-data-export-store.js';
import type { UserStore } from '../../store/user-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';

/** At most this many exports of a person are listed (newest first). */
export const MAX_LISTED_EXPORTS = 20;

/** One export as the contact page and the API show it. */
export interface ExportView {
  id: string;
  contactId: string;
  state: ExportState;
  requestedAt: Date;
  requestedBy: { id: string; name: string | null; email: string | null };
  expiresAt: Date;
  readyAt: Date | null;
  downloadedAt: Date | null;
  size: number | null;
  counts: { tickets: number; messages: number } | null;
  /** Whether the actor may download it now: theirs, ready, not expired. */
  downloadable: boolean;
  /** The page's download address, when `downloadable`. */
  downloadPath: string | null;
}

/** The view of one export for this actor at `now`, with the requester's label when known. */
export function exportView(exp: PersonalDataExportDoc, actor: Actor, now: Date, requester?: { name?: string | null; email?: string | null }): ExportView {
  const mine = Boolean(actor.userId && actor.userId.equals(exp.requestedBy));
  const downloadable = mine && isDownloadable(exp, now);
  const id = exp._id.toHexString();
  const contactId = exp.contactId.toHexString();
  return {
    id,
    contactId,
    state: shownState(exp, now),
    requestedAt: exp.requestedAt,
    requestedBy: { id: exp.requestedBy.toHexString(), name: requester?.name ?? null, email: requester?.email ?? null },
    expiresAt: exp.expiresAt,
    readyAt: exp.readyAt,
    downloadedAt: exp.downloadedAt,
    size: exp.size,
    counts: exp.counts,
    downloadable,
    downloadPath: downloadable ? `/contacts/${contactId}/exports/${id}/download` : null,
  };
}

/** What listing a person's exports reads. */
export interface ListExportsDeps {
  personData: Pick<PersonDataStore, 'findPerson'>;
  personalDataExports: Pick<PersonalDataExportStore, 'listByContact'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
  now: () => Date;
}

/**
 * A person's exports, newest first (at most {@link MAX_LISTED_EXPORTS}), for the contact page and the
 * API. Exports are for admins: anyone else gets an empty list (a manager may see the contact page, not
 * its exports). NOT_FOUND for a contact that does not exist; an alias lists its primary's exports.
 */
export async function listPersonalDataExports(deps: ListExportsDeps, actor: Actor, contactId: string | Types.ObjectId): Promise<ExportView[]> {
  if (actor.role !== 'admin') return [];
  const id = typeof contactId === 'string' ? parseObjectId(contactId) : contactId;
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person) throw notFound('Contact');
  const rows = await deps.personalDataExports.listByContact(person.primary._id, MAX_LISTED_EXPORTS);
  const labels = rows.length ? await deps.users.listLabelsByIds([...new Set(rows.map((r) => r.requestedBy.toHexString()))]) : [];
  const byId = new Map(labels.map((u) => [u._id.toHexString(), u]));
  const now = deps.now();
  return rows.map((r) => exportView(r, actor, now, byId.get(r.requestedBy.toHexString())));
}
