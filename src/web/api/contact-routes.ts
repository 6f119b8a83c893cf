import { Router } from 'express';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import { getPerson } from '../../services/contacts/get-person.js';
import { linkAlias } from '../../services/contacts/link-alias.js';
import { searchContacts } from '../../services/contacts/search-contacts.js';
import { unlinkAlias } from '../../services/contacts/unlink-alias.js';
import { principalOf } from './authenticate.js';

/** What the contact routes need: the contacts, a person's data, the inbox names and the access log. */
export interface ContactRouteDeps {
  contacts: Pick<ContactStore, 'search' | 'findByEmail' | 'findOrCreate' | 'findById' | 'hasAliases' | 'linkAlias' | 'unlinkAlias'>;
  personData: Pick<PersonDataStore, 'findPerson' | 'listContactsWithTickets' | 'listTicketIds' | 'listTicketSummaries' | 'listMessageSummaries'>;
  inboxes: Pick<InboxStore, 'listNamesByIds'>;
  accessLog: Pick<AccessLogStore, 'record'>;
  now: () => Date;
}

/**
 * People (the same use cases as the contact pages): `GET /contacts?q=`, `GET /contacts/:id` (the
 * person, their tickets and messages; logged), and their aliases for admins:
 * `POST /contacts/:id/aliases` ({ email }), `DELETE /contacts/:id/aliases/:aliasId`.
 */
export function contactRoutes(deps: ContactRouteDeps): Router {
  const router = Router();
  router.get('/contacts', async (req, res) => {
    res.json({ items: await searchContacts(deps, principalOf(res).actor, req.query.q) });
  });
  router.get('/contacts/:id', async (req, res) => {
    res.json(await getPerson(deps, principalOf(res).actor, req.params.id));
  });
  router.post('/contacts/:id/aliases', async (req, res) => {
    res.status(201).json(await linkAlias(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.delete('/contacts/:id/aliases/:aliasId', async (req, res) => {
    await unlinkAlias(deps, principalOf(res).actor, req.params.id, req.params.aliasId);
    res.status(204).end();
  });
  return router;
}
