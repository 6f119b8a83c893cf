import type { Types } from 'mongoose';
import { z } from 'zod';
import { erasureDetail, erasureNeedles, type ErasureCounts } from '../../domain/erasure.js';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { ErasureStore, ErasureTarget } from '../../store/erasure-writes.js';
import type { PersonErasureDoc } from '../../store/models/person-erasure.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';
import { countErasure, type PreviewErasureDeps } from './preview-erasure.js';

/** What erasing a person needs. */
export interface ErasePersonDeps extends PreviewErasureDeps {
  erasure: PreviewErasureDeps['erasure'] &
    Pick<
      ErasureStore,
      | 'beginErasure' | 'finishErasure' | 'listRunningErasures' | 'namesUsed' | 'ownTicketIds' | 'eraseMessages' | 'scrubTrail' | 'scrubNotifications' | 'eraseOutbox' | 'eraseRatings'
      | 'scrubSideConversations' | 'eraseDrafts' | 'anonymiseTickets' | 'removeSpamBlocks' | 'removeExportArchives' | 'anonymiseContacts' | 'reclaim'
    >;
  accessLog: Pick<AccessLogStore, 'record'>;
  now: () => Date;
  /** Test hook: called after each step by name (a throw here stands for a crash). */
  onStep?: (step: string) => void;
}

/** The body of an erasure: one of the person’s addresses typed again, and `confirm: true`. */
export const eraseSchema = z.object({
  confirmAddress: z.string().max(320),
  confirm: z.literal(true),
});

/** What an admin confirmed: one of the person's addresses typed again, and that it cannot be undone. */
export type EraseInput = z.input<typeof eraseSchema>;

/** What an erasure did: the counts recorded when it was asked, and whether it is finished. */
export interface ErasureResult {
  contactId: string;
  state: 'done';
  counts: ErasureCounts;
  requestedAt: Date;
  doneAt: Date;
}

/** Checks what the admin confirmed against the person's addresses (a typo must not erase someone else). */
export function checkEraseInput(input: unknown, addresses: readonly string[]): void {
  const confirmed = parseInput(eraseSchema, input, 'Erasure');
  if (!addresses.includes(confirmed.confirmAddress.trim().toLowerCase())) {
    throw invalidInput([inputIssue('confirmAddress', 'erase.addressMismatch', 'must be one of the person’s addresses')], 'Erasure');
  }
}

/**
 * Erases a person (GDPR art. 17; admins only), confirmed by one of their addresses typed again and
 * `confirm: true`. The erasure is recorded first (addresses, names, counts), then carried out step by
 * step; each step is idempotent, so asking again after a crash (or `resumeErasures`) finishes it.
 * Bodies, subjects, headers, attachments and raw mail, search terms, trail text, outbox copies,
 * ratings' comments, quarantined mail, block-list entries, export archives and the contacts lose
 * the person's data; tickets keep their number, statuses, times and metrics. Logged as
 * `person_erased` (counts only); then the store's space is reclaimed. Erasing an erased person
 * returns what was done.
 */
export async function erasePerson(deps: ErasePersonDeps, actor: Actor, contactId: string, input: unknown): Promise<ErasureResult> {
  requireAdmin(actor);
  const id = parseObjectId(contactId);
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person) throw notFound('Contact');
  const personId = person.primary._id;
  let record = await deps.erasure.findErasure(personId);
  if (record?.state === 'done') return resultOf(record);
  checkEraseInput(input, record ? record.addresses : person.addresses);
  if (!record) {
    const { ticketIds, counts } = await countErasure(deps, personId, person.addresses, 1 + person.aliases.length);
    const names = [...new Set([person.primary.name, ...person.aliases.map((a) => a.name), ...(await deps.erasure.namesUsed(ticketIds, person.addresses))].filter((n): n is string => Boolean(n)))];
    record = await deps.erasure.beginErasure({
      contactId: personId,
      requestedAt: deps.now(),
      requestedBy: actor.userId,
      addresses: person.addresses,
      names,
      aliasIds: person.aliases.map((a) => a._id),
      counts,
    });
  }
  return carryOut(deps, record);
}

/** Finishes the erasures left running (a crash mid-way), oldest first; returns how many it finished. */
export async function resumeErasures(deps: ErasePersonDeps, limit = 10): Promise<number> {
  let done = 0;
  for (const record of await deps.erasure.listRunningErasures(limit)) {
    await carryOut(deps, record);
    done += 1;
  }
  return done;
}

async function carryOut(deps: ErasePersonDeps, record: PersonErasureDoc): Promise<ErasureResult> {
  const target: ErasureTarget = { personId: record.contactId, addresses: record.addresses, needles: erasureNeedles(record.addresses, record.names) };
  const step = (name: string) => deps.onStep?.(name);
  const ticketIds = await deps.personData.listTicketIds(record.addresses, null);
  const own = await deps.erasure.ownTicketIds(ticketIds, target);
  const now = deps.now();
  // Messages first: the tickets' search terms are rebuilt from what they keep. The tickets last of
  // what is found through them: once rewritten they are no longer found by the person's addresses.
  await deps.erasure.eraseMessages(ticketIds, target);
  step('messages');
  await deps.erasure.scrubTrail(ticketIds, own, target);
  await deps.erasure.scrubNotifications(ticketIds, own, target);
  step('trail');
  await deps.erasure.eraseOutbox(ticketIds, own, target, now);
  await deps.erasure.eraseRatings(own, target);
  await deps.erasure.scrubSideConversations(ticketIds, target);
  await deps.erasure.eraseDrafts(ticketIds, own, target);
  step('outbox');
  await deps.erasure.anonymiseTickets(ticketIds, target);
  step('tickets');
  await deps.erasure.eraseQuarantine(target);
  await deps.erasure.removeSpamBlocks(target);
  const contactIds: Types.ObjectId[] = [record.contactId, ...record.aliasIds];
  await deps.erasure.removeExportArchives(contactIds);
  await deps.erasure.anonymiseContacts(contactIds);
  step('contacts');
  const doneAt = deps.now();
  if (await deps.erasure.finishErasure(record.contactId, doneAt)) {
    await deps.accessLog.record({ at: doneAt, userId: record.requestedBy, action: 'person_erased', contactId: record.contactId, detail: erasureDetail(record.counts) });
  }
  await deps.erasure.reclaim();
  return { contactId: record.contactId.toHexString(), state: 'done', counts: record.counts, requestedAt: record.requestedAt, doneAt: record.doneAt ?? doneAt };
}

function resultOf(record: PersonErasureDoc): ErasureResult {
  return { contactId: record.contactId.toHexString(), state: 'done', counts: record.counts, requestedAt: record.requestedAt, doneAt: record.doneAt ?? record.requestedAt };
}

