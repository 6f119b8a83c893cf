import { ACCESS_ACTIONS } from '../../domain/access-log.js';
import { arrayOf, dateTime, enumOf, integer, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The access log's answers (services/access-log/list-access-log.ts). */
export const ACCESS_LOG_SCHEMAS: Record<string, JsonSchema> = {
  AccessLogEntry: object({
    id: objectId,
    at: dateTime,
    action: {
      ...enumOf(ACCESS_ACTIONS),
      description:
        '`ticket_viewed`: a ticket opened (page or API); `attachment_downloaded`; `contact_viewed`: a contact page; `export_requested`, `export_downloaded`: a personal data export; `person_erased`; `retention_applied`: an inbox’s retention run.',
    },
    user: { ...nullable(object({ id: objectId, name: { ...nullable(string), description: 'The user’s name, else their address; null when the user no longer exists.' } })), description: 'Who did it; null: the system (a job).' },
    ticket: { ...nullable(object({ id: objectId, number: { ...nullable(integer), description: 'Null when the ticket no longer exists.' } })), description: 'The ticket concerned, if any.' },
    inbox: { ...nullable(object({ id: objectId, name: nullable(string) })), description: 'The inbox concerned, if any.' },
    contactId: { ...nullable(objectId), description: 'The person concerned (their primary contact), if any.' },
    detail: { ...nullable(string), description: 'Ids and counts only (a message id and attachment position, counts of an erasure or retention run); never customers’ data.' },
  }),
  AccessLogPage: object({ items: arrayOf(ref('AccessLogEntry')), nextCursor: { ...nullable(string), description: 'Pass as `cursor` for the next page; null on the last page.' } }),
};

const text = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } });

/** `GET /access-log`. */
export function accessLogOperations(): Record<string, Record<string, Operation>> {
  return {
    '/access-log': {
      get: {
        id: 'listAccessLog', tag: 'Access log', summary: 'Who opened which ticket, downloaded which attachment, exported or erased whose data; newest first, keyset-paged (admins)',
        description: 'Entries are kept `ACCESS_LOG_RETENTION_DAYS` days (365 unless configured; 0 keeps them forever). Days (`YYYY-MM-DD`) and date-times without an offset are read in the caller’s time zone (their account’s, else UTC). A ticket number no ticket has answers an empty page.',
        query: [
          text('user', 'Only what this user did (an id).'),
          { name: 'action', in: 'query', required: false, description: 'Only this action.', schema: enumOf(ACCESS_ACTIONS) },
          text('ticket', 'Only entries of the ticket with this number (`#` allowed).'),
          text('from', 'From this moment (included): an ISO 8601 date-time or a day `YYYY-MM-DD`.'),
          text('to', 'Until this moment (excluded), or to the end of this day `YYYY-MM-DD`.'),
          text('cursor', 'The `nextCursor` of the previous page.'),
          { name: 'limit', in: 'query', required: false, description: 'Page size, 1 to 200; 50 unless given.', schema: { type: 'integer' } },
        ],
        ok: [200, ref('AccessLogPage')], errors: [400, 403],
      },
    },
  };
}
