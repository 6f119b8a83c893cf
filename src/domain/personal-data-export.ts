/*
 * A person's data export (GDPR art. 15 access and art. 20 portability): one zip an admin asks for on
 * the contact page, built by a job, downloadable once by that admin, deleted after download or expiry.
 * The archive holds `person.json` (what Threadline stores about the person) and each of their
 * messages as `messages/<ticket number>-<n>.eml`.
 */

/**
 * Where an export stands: `queued` until the job has written the archive, then `ready`; `failed` when
 * the job gave up; `downloaded` once its requester took it (the archive is gone); `expired` when
 * nobody did in time (the archive is gone too).
 */
export const EXPORT_STATES = ['queued', 'ready', 'failed', 'downloaded', 'expired'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

/** How long an export may be downloaded after it was asked for. */
export const EXPORT_TTL_MS = 7 * 24 * 3600_000;

/** A queued export whose job has not finished after this long is scheduled again by the sweep (a lost job). */
export const EXPORT_STALE_QUEUED_MS = 15 * 60_000;

/** The version of the `person.json` layout, written into the file. */
export const PERSON_JSON_FORMAT = 'threadline-personal-data/1';

/** When an export asked for at `requestedAt` stops being downloadable. */
export function exportExpiresAt(requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + EXPORT_TTL_MS);
}

/** Whether an export may still be downloaded at `now` (ready and not past its expiry). */
export function isDownloadable(exp: { state: ExportState; expiresAt: Date }, now: Date): boolean {
  return exp.state === 'ready' && exp.expiresAt.getTime() > now.getTime();
}

/** The state to show at `now`: a ready or queued export past its expiry is expired even before the sweep ran. */
export function shownState(exp: { state: ExportState; expiresAt: Date }, now: Date): ExportState {
  return (exp.state === 'ready' || exp.state === 'queued') && exp.expiresAt.getTime() <= now.getTime() ? 'expired' : exp.state;
}

/** The archive's path of a message: its ticket's number and its place among the exported messages of that ticket (1-based). */
export function emlPath(ticketNumber: number, seq: number): string {
  return `messages/${ticketNumber}-${seq}.eml`;
}

/** The file name the archive is downloaded as: no personal data in it, only the date and the export's id. */
export function archiveFilename(requestedAt: Date, exportId: string): string {
  return `personal-data-${requestedAt.toISOString().slice(0, 10)}-${exportId}.zip`;
}

/**
 * Numbers messages within their ticket in the order they come (the export reads them ticket by ticket,
 * oldest first): feed each message's ticket number, get its `.eml` path. Both passes over the
 * messages (the `.eml` files and `person.json`) use one each, so their names agree.
 */
export function emlNamer(): (ticketNumber: number) => string {
  const seen = new Map<number, number>();
  return (ticketNumber) => {
    const seq = (seen.get(ticketNumber) ?? 0) + 1;
    seen.set(ticketNumber, seq);
    return emlPath(ticketNumber, seq);
  };
}
