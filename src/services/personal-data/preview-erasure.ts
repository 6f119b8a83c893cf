import type { Types } from 'mongoose';
import type { ErasureCounts } from '../../domain/erasure.js';
import type { ErasureStore } from '../../store/erasure-writes.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';

/** What the erasure preview reads. */
export interface PreviewErasureDeps {
  personData: Pick<PersonDataStore, 'findPerson' | 'listTicketIds'>;
  erasure: Pick<ErasureStore, 'findErasure' | 'countMessages' | 'eraseQuarantine' | 'countOutbox' | 'countRatings'>;
}

/** What erasing a person would touch, or what an erasure already asked for did. */
export interface ErasurePreview {
  /** The primary contact (an alias's id names its primary). */
  contactId: string;
  /** The person's addresses; empty once erased. */
  addresses: string[];
  name: string | null;
  counts: ErasureCounts;
  /** null: never asked; `running`: asked, not finished (asking again carries it on); `done`: erased. */
  state: 'running' | 'done' | null;
  requestedAt: Date | null;
  doneAt: Date | null;
}

/** A person's addresses and what erasing them touches, counted the way the erasure acts on them. */
export async function countErasure(deps: PreviewErasureDeps, personId: Types.ObjectId, addresses: string[], contacts: number): Promise<{ ticketIds: Types.ObjectId[]; counts: ErasureCounts }> {
  const ticketIds = await deps.personData.listTicketIds(addresses, null);
  const target = { personId, addresses, needles: addresses };
  const [mail, outbox, ratings, quarantine] = await Promise.all([
    deps.erasure.countMessages(ticketIds, target),
    deps.erasure.countOutbox(target),
    deps.erasure.countRatings(target),
    deps.erasure.eraseQuarantine(target, true),
  ]);
  return { ticketIds, counts: { tickets: ticketIds.length, ...mail, outbox, ratings, quarantine, contacts } };
}

/**
 * What erasing this person would erase (admins only: erasure is irreversible and instance-wide):
 * their tickets, the messages from or to them and those messages' files, the mail sent to them,
 * their ratings, quarantined mail from them and their contacts. For a person already erased (or
 * whose erasure was cut short), what was recorded when it was asked.
 */
export async function previewErasure(deps: PreviewErasureDeps, actor: Actor, contactId: string): Promise<ErasurePreview> {
  requireAdmin(actor);
  const id = parseObjectId(contactId);
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person) throw notFound('Contact');
  const personId = person.primary._id;
  const recorded = await deps.erasure.findErasure(personId);
  if (recorded) {
    return {
      contactId: personId.toHexString(),
      addresses: recorded.addresses,
      name: recorded.names[0] ?? null,
      counts: recorded.counts,
      state: recorded.state,
      requestedAt: recorded.requestedAt,
      doneAt: recorded.doneAt,
    };
  }
  const { counts } = await countErasure(deps, personId, person.addresses, 1 + person.aliases.length);
  return { contactId: personId.toHexString(), addresses: person.addresses, name: person.primary.name ?? null, counts, state: null, requestedAt: null, doneAt: null };
}
