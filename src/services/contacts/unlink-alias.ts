import type { ContactStore } from '../../store/contact-store.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';

/**
 * Makes an alias of the person of this contact a contact of its own again (admins; FORBIDDEN
 * otherwise). NOT_FOUND when it is not (or no longer) one of this person's aliases.
 */
export async function unlinkAlias(
  deps: { contacts: Pick<ContactStore, 'unlinkAlias'>; personData: Pick<PersonDataStore, 'findPerson'> },
  actor: Actor,
  contactId: string,
  aliasId: string,
): Promise<void> {
  requireAdmin(actor);
  const id = parseObjectId(contactId);
  const alias = parseObjectId(aliasId);
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person || !alias || !(await deps.contacts.unlinkAlias(alias, person.primary._id))) throw notFound('Contact');
}
