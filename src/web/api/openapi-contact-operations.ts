import type { z } from 'zod';
import { MESSAGE_DIRECTIONS } from '../../domain/message-directions.js';
import { TICKET_STATUSES } from '../../domain/ticket-status.js';
import { linkAliasSchema } from '../../services/contacts/link-alias.js';
import { CONTACT_QUERY_MAX, CONTACT_SEARCH_LIMIT } from '../../services/contacts/search-contacts.js';
import { PERSON_MESSAGES_LISTED, PERSON_TICKETS_LISTED } from '../../services/contacts/get-person.js';
import { arrayOf, boolean, dateTime, enumOf, integer, listOf, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The contacts' request bodies, generated from the schemas the use cases parse with. */
export const CONTACT_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  AliasInput: linkAliasSchema,
};

const contactFields = {
  id: objectId,
  email: string,
  name: nullable(string),
  personId: { ...objectId, description: 'The primary contact of the person (its own id for a primary contact).' },
  isAlias: boolean,
};

/** The contacts' answers. */
export const CONTACT_SCHEMAS: Record<string, JsonSchema> = {
  Contact: object(contactFields),
  PersonTicket: object({
    id: objectId, number: integer, subject: string, inboxId: objectId, inboxName: nullable(string), status: enumOf(TICKET_STATUSES),
    requester: { ...boolean, description: 'The person is its requester (else they were copied).' },
    createdAt: dateTime, lastActivityAt: dateTime, closedAt: nullable(dateTime),
  }),
  PersonMessage: object({
    id: objectId, ticketId: objectId, ticketNumber: nullable(integer), direction: enumOf(MESSAGE_DIRECTIONS), subject: nullable(string),
    fromPerson: { ...boolean, description: 'The person wrote it (else it was sent to them).' },
    at: dateTime,
    attachments: arrayOf(object({ fileId: { ...objectId, description: 'What `GET /attachments/{fileId}` takes.' }, filename: nullable(string), contentType: string, size: integer, inline: boolean })),
  }),
  Person: object({
    ...contactFields,
    aliases: arrayOf(ref('Contact')),
    addresses: { ...arrayOf(string), description: 'The lower-case addresses of the primary contact and its aliases.' },
    tickets: arrayOf(ref('PersonTicket')),
    ticketTotal: integer,
    messages: arrayOf(ref('PersonMessage')),
    messageTotal: integer,
  }),
};

const q = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description });

/** `/contacts`: a person's data for admins and the managers of their inboxes, and aliases for admins. */
export function contactOperations(): Record<string, Record<string, Operation>> {
  const readers = 'Admins; managers see only people with a ticket in their inboxes, and only those tickets and messages (404 otherwise); agents get 403.';
  return {
    '/contacts': {
      get: {
        id: 'searchContacts', tag: 'Contacts', summary: 'Contacts whose address or name holds a text',
        description: `${readers} By address, at most ${CONTACT_SEARCH_LIMIT}; an alias lists its person as \`personId\`. An empty \`q\` finds nothing; one over ${CONTACT_QUERY_MAX} characters is a 400.`,
        query: [q('q', 'Part of an address or name, any case.')],
        ok: [200, listOf('Contact')], errors: [400, 403],
      },
    },
    '/contacts/{id}': {
      get: {
        id: 'getPerson', tag: 'Contacts', summary: 'One person: addresses, tickets, messages and attachments',
        description: `${readers} The id of an alias gives its person. The newest ${PERSON_TICKETS_LISTED} tickets and ${PERSON_MESSAGES_LISTED} messages (written by or to one of the person’s addresses; no bodies), with totals. Each call is recorded in the access log (\`contact_viewed\`).`,
        ok: [200, ref('Person')], errors: [403, 404],
      },
    },
    '/contacts/{id}/aliases': {
      post: {
        id: 'linkAlias', tag: 'Contacts', summary: 'Link an address to the person as an alias (admins)',
        description: 'Admins only (403 otherwise). The address’s contact (created when it has none) joins the person; linking it again changes nothing. 409 when it is another person’s alias or has aliases of its own; 400 naming `email` for the person’s own address. Answers the alias.',
        body: 'AliasInput', ok: [201, ref('Contact')], errors: [403, 404, 409],
      },
    },
    '/contacts/{id}/aliases/{aliasId}': {
      delete: {
        id: 'unlinkAlias', tag: 'Contacts', summary: 'Unlink an alias from the person (admins)',
        description: 'Admins only (403 otherwise). The alias becomes a contact of its own again; 404 when it is not one of this person’s aliases.',
        ok: [204], errors: [403, 404],
      },
    },
  };
}
