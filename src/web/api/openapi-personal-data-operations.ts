import { EXPORT_STATES } from '../../domain/personal-data-export.js';
import { boolean, dateTime, enumOf, integer, listOf, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** A personal data export as the API shows it (services/personal-data/list-exports.ts). */
export const PERSONAL_DATA_SCHEMAS: Record<string, JsonSchema> = {
  PersonalDataExport: object({
    id: objectId,
    contactId: { ...objectId, description: 'The person’s primary contact.' },
    state: {
      ...enumOf(EXPORT_STATES),
      description: '`queued`: the archive is being made; `ready`: it may be downloaded (once, by its requester); `failed`; `downloaded`; `expired` (not downloaded within 7 days). The archive is deleted once downloaded or expired.',
    },
    requestedAt: dateTime,
    requestedBy: object({ id: objectId, name: nullable(string), email: nullable(string) }),
    expiresAt: dateTime,
    readyAt: nullable(dateTime),
    downloadedAt: nullable(dateTime),
    size: { ...nullable(integer), description: 'The archive’s size in bytes, once made.' },
    counts: nullable(object({ tickets: integer, messages: integer })),
    downloadable: { ...boolean, description: 'Whether the caller may download it now: theirs, ready and not expired.' },
    downloadPath: { ...nullable(string), description: 'Where to download it, when `downloadable`.' },
  }),
};

/** `/contacts/{id}/exports`: a person's data exports (GDPR art. 15/20), admins only. */
export function personalDataOperations(): Record<string, Record<string, Operation>> {
  return {
    '/contacts/{id}/exports': {
      get: {
        id: 'listPersonalDataExports', tag: 'Personal data', summary: 'A person’s data exports, newest first (admins)',
        description: 'At most 20. Anyone but an admin gets an empty list. `{id}` may be an alias: the exports are its primary contact’s.',
        ok: [200, listOf('PersonalDataExport')], errors: [404],
      },
      post: {
        id: 'requestPersonalDataExport', tag: 'Personal data', summary: 'Export a person’s data: one zip made by a job (admins)',
        description:
          'The archive holds `person.json` (the contact and its aliases, their tickets, the messages they wrote or received with their metadata and text and a list of attachments, satisfaction ratings and comments, trail entries they caused) and `messages/<ticket number>-<n>.eml` for each of those messages (the mail as received or sent when kept, else rebuilt, attachments included). Answers 202 with the queued export; asking again while the caller’s export of that person is still queued answers that one. Logged as `export_requested` in the access log. It may be downloaded once, by the caller, within 7 days.',
        ok: [202, ref('PersonalDataExport')], errors: [403, 404],
      },
    },
    '/contacts/{id}/exports/{exportId}/download': {
      get: {
        id: 'downloadPersonalDataExport', tag: 'Personal data', summary: 'Download an export’s zip, once (its requester)',
        description:
          'Only the admin who asked for it (403 for anyone else). The archive is deleted after this download: a second one is 410 Gone, as is an expired or failed export; 409 while it is still being made. Logged as `export_downloaded` in the access log.',
        ok: [200, { type: 'string', contentMediaType: 'application/zip' }, 'The zip, with `Content-Disposition: attachment`.'], mediaType: 'application/zip', errors: [403, 404, 409, 410],
      },
    },
  };
}
