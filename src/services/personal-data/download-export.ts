import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import { archiveFilename, shownState } from '../../domain/personal-data-export.js';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { PersonalDataExportStore } from '../../store/personal-data-export-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';

/** What downloading an export needs. */
export interface DownloadExportDeps {
  personalDataExports: Pick<PersonalDataExportStore, 'findById' | 'claimDownload' | 'releaseDownload' | 'clearFile'>;
  accessLog: Pick<AccessLogStore, 'record'>;
  blobs: Pick<BlobStore, 'open' | 'remove'>;
  now: () => Date;
}

/** An export's archive ready to send; call `finish` once it was sent (or the sending failed): the archive is then removed. */
export interface OpenedExport {
  filename: string;
  contentType: 'application/zip';
  size: number | null;
  stream: Readable;
  finish(): Promise<void>;
}

/** GONE: the archive was downloaded already, or expired, or never made; the page and API say which. */
function gone(reason: 'downloaded' | 'expired' | 'failed'): AppError {
  const text = { downloaded: 'This export was already downloaded: it can be downloaded only once. Ask for a new export.', expired: 'This export has expired and was deleted. Ask for a new export.', failed: 'This export failed. Ask for a new export.' }[reason];
  return new AppError('GONE', text, { key: `gone.personalDataExport.${reason}`, details: { reason } });
}

/** Resolves once the stream has data, rejects (NOT_FOUND for a missing file) when it fails first. */
function firstBytes(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error & { code?: string }) => {
      stream.off('readable', onReadable);
      reject(err.code === 'ENOENT' ? gone('expired') : err);
    };
    stream.once('readable', onReadable);
    stream.once('error', onError);
  });
}

/**
 * The one download of an export, by the admin who asked for it. The archive is opened first (a file
 * gone is an error before anything is claimed), then the export is claimed (ready → downloaded, one
 * request wins) and `export_downloaded` logged; `finish` removes the archive after it was streamed.
 * FORBIDDEN for anyone else (admins only; another admin's export); NOT_FOUND for an unknown export or
 * one of another contact; CONFLICT while it is being made; GONE once downloaded, expired or failed.
 */
export async function downloadPersonalDataExport(deps: DownloadExportDeps, actor: Actor, contactId: string, exportId: string): Promise<OpenedExport> {
  requireAdmin(actor);
  const cid = parseObjectId(contactId);
  const id = parseObjectId(exportId);
  const exp = cid && id ? await deps.personalDataExports.findById(id) : null;
  if (!exp || !cid || !exp.contactId.equals(cid)) throw notFound('Export');
  const userId = actor.userId;
  if (!userId || !exp.requestedBy.equals(userId)) {
    throw new AppError('FORBIDDEN', 'Only the admin who asked for this export can download it', { key: 'forbidden.personalDataExportRequester' });
  }
  const now = deps.now();
  const state = shownState(exp, now);
  if (state === 'queued') throw new AppError('CONFLICT', 'This export is still being prepared; try again in a moment', { key: 'conflict.personalDataExportNotReady' });
  if (state !== 'ready' || !exp.fileId) throw gone(state === 'ready' ? 'expired' : state);
  const fileId = exp.fileId;

  const source = deps.blobs.open(fileId);
  try {
    await firstBytes(source);
  } catch (err) {
    source.destroy();
    throw err;
  }
  const claimed = await deps.personalDataExports.claimDownload(exp._id, userId, now);
  if (!claimed) {
    source.destroy();
    throw gone('downloaded');
  }
  try {
    await deps.accessLog.record({ at: now, userId, action: 'export_downloaded', contactId: exp.contactId, detail: `export ${exp._id.toHexString()}` });
  } catch (err) {
    // Not logged, not given: the export stays downloadable.
    source.destroy();
    await deps.personalDataExports.releaseDownload(exp._id);
    throw err;
  }
  const stream = new PassThrough();
  source.on('error', (err) => stream.destroy(err));
  stream.on('close', () => source.destroy());
  source.pipe(stream);
  let finished = false;
  return {
    filename: archiveFilename(exp.requestedAt, exp._id.toHexString()),
    contentType: 'application/zip',
    size: exp.size,
    stream,
    async finish() {
      if (finished) return;
      finished = true;
      // A removal that fails is done by the sweep, which removes the archives of downloaded exports.
      await deps.blobs.remove(fileId).then(
        () => deps.personalDataExports.clearFile(exp._id, fileId),
        () => {},
      );
    },
  };
}
