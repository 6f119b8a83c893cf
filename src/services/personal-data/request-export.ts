import { AppError } from '../../domain/errors.js';
import { exportExpiresAt } from '../../domain/personal-data-export.js';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import type { PersonalDataExportStore } from '../../store/personal-data-export-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import type { JobScheduler } from '../ports.js';
import { exportView, type ExportView } from './list-exports.js';
import { PERSONAL_DATA_EXPORT_JOB } from './run-export.js';

/** What asking for an export needs. */
export interface RequestExportDeps {
  personData: Pick<PersonDataStore, 'findPerson'>;
  personalDataExports: Pick<PersonalDataExportStore, 'insert' | 'findQueued'>;
  accessLog: Pick<AccessLogStore, 'record'>;
  scheduler: Pick<JobScheduler, 'schedule'>;
  now: () => Date;
}

/**
 * An admin asks for an export of a person's data (GDPR art. 15/20): the export is recorded as queued
 * for the person's primary contact and its job scheduled (keyed by the export, so scheduling again
 * never adds a second job); `export_requested` goes to the access log. Asking again while the same
 * admin's export of that person is still queued returns that one (a double submit makes one archive).
 * FORBIDDEN for anyone but a signed-in admin; NOT_FOUND for an unknown contact.
 */
export async function requestPersonalDataExport(deps: RequestExportDeps, actor: Actor, contactId: string): Promise<{ export: ExportView; created: boolean }> {
  requireAdmin(actor);
  const userId = actor.userId;
  if (!userId) throw new AppError('FORBIDDEN', 'Only a signed-in admin can export a person’s data', { key: 'forbidden.adminOnly' });
  const id = parseObjectId(contactId);
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person) throw notFound('Contact');
  const now = deps.now();
  const queued = await deps.personalDataExports.findQueued(person.primary._id, userId, now);
  const exp = queued ?? (await deps.personalDataExports.insert({ contactId: person.primary._id, requestedBy: userId, requestedAt: now, expiresAt: exportExpiresAt(now) }));
  const key = exp._id.toHexString();
  // Scheduled again for a queued one too: should its job have been lost, this brings it back.
  await deps.scheduler.schedule(PERSONAL_DATA_EXPORT_JOB, { key, data: { exportId: key } });
  if (!queued) await deps.accessLog.record({ at: now, userId, action: 'export_requested', contactId: person.primary._id, detail: `export ${key}` });
  return { export: exportView(exp, actor, now), created: !queued };
}
