import type { ContactStore, ContactSummary } from '../../store/contact-store.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import type { Actor } from '../access.js';
import { inputIssue, invalidInput } from '../validate.js';
import { personInboxScope, requireContactReader } from './contact-access.js';
import { toContactView, type ContactView } from './contact-views.js';

/** The longest search text, and the most contacts one search lists. */
export const CONTACT_QUERY_MAX = 200;
export const CONTACT_SEARCH_LIMIT = 50;

/** What searching contacts reads. */
export interface SearchContactsDeps {
  contacts: Pick<ContactStore, 'search'>;
  personData: Pick<PersonDataStore, 'listContactsWithTickets'>;
}

/**
 * Contacts whose address or name holds the text, by address (admins and managers; FORBIDDEN for
 * agents). A manager sees only the contacts of people with a ticket in their inboxes. An empty text
 * finds nothing; one longer than {@link CONTACT_QUERY_MAX} is a VALIDATION_FAILED naming `q`.
 */
export async function searchContacts(deps: SearchContactsDeps, actor: Actor, query: unknown): Promise<ContactView[]> {
  requireContactReader(actor);
  if (query !== undefined && typeof query !== 'string') throw invalidInput([inputIssue('q', 'validation.invalid_type', 'must be a string', { expected: 'string' })], 'Search');
  const text = (query ?? '').trim();
  if (text.length > CONTACT_QUERY_MAX) throw invalidInput([inputIssue('q', 'validation.too_big', `must be at most ${CONTACT_QUERY_MAX} characters`, { maximum: CONTACT_QUERY_MAX, origin: 'string' })], 'Search');
  if (!text) return [];
  const scope = personInboxScope(actor);
  // A manager's filter runs on each read of the search, so matches they may not see never take the place of those they may.
  const visible = scope
    ? async (rows: ContactSummary[]) => {
        const ids = new Set((await deps.personData.listContactsWithTickets(rows, scope)).map(String));
        return rows.filter((c) => ids.has(c._id.toHexString()));
      }
    : undefined;
  return (await deps.contacts.search(text, CONTACT_SEARCH_LIMIT, visible)).map(toContactView);
}

