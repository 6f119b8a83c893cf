import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { Person, PersonDataStore } from '../../store/person-data-store.js';
import { notFound, parseObjectId, visibleInboxIds, type Actor } from '../access.js';

/** FORBIDDEN for agents: contact pages are for admins and the managers of the inboxes involved. */
export function requireContactReader(actor: Actor): void {
  if (actor.role === 'agent') throw new AppError('FORBIDDEN', 'Contacts are for managers and admins', { key: 'forbidden.contactsForManagers' });
}

/** The inboxes whose tickets and messages of a person this actor sees: null for admins (every inbox). */
export function personInboxScope(actor: Actor): Types.ObjectId[] | null {
  const visible = visibleInboxIds(actor);
  return visible === 'all' ? null : visible;
}

/** A person as one actor sees them: the person, and the ids of their tickets in the actor's inboxes. */
export interface ScopedPerson {
  person: Person;
  ticketIds: Types.ObjectId[];
}

/**
 * The person of this contact id (an alias's id gives its primary's person) with their tickets in the
 * actor's inboxes. FORBIDDEN for agents; NOT_FOUND for a malformed or unknown id, and for a manager
 * when none of the person's tickets is in their inboxes (a customer of other inboxes is not theirs to see).
 */
export async function findScopedPerson(
  deps: { personData: Pick<PersonDataStore, 'findPerson' | 'listTicketIds'> },
  actor: Actor,
  contactId: string,
): Promise<ScopedPerson> {
  requireContactReader(actor);
  const id = parseObjectId(contactId);
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person) throw notFound('Contact');
  const scope = personInboxScope(actor);
  const ticketIds = await deps.personData.listTicketIds(person.addresses, scope);
  if (scope && ticketIds.length === 0) throw notFound('Contact');
  return { person, ticketIds };
}
