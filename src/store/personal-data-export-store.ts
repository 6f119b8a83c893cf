import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { PersonalDataExportDoc } from './models/personal-data-export.js';

/** An export as the request use case writes it. */
export type NewPersonalDataExport = Pick<PersonalDataExportDoc, 'contactId' | 'requestedBy' | 'requestedAt' | 'expiresAt'>;

/** What the job records once the archive is stored. */
export interface ExportArchive {
  fileId: Types.ObjectId;
  size: number;
  counts: { tickets: number; messages: number };
  at: Date;
}

/**
 * Exports of people's data (`personal_data_exports`). Every change of state is conditional on the
 * state it leaves, so a job rerun, a second download or the sweep racing either changes nothing twice.
 */
export function createPersonalDataExportStore(models: Pick<Models, 'PersonalDataExport'>) {
  const { PersonalDataExport } = models;
  return {
    /** Stores a new queued export. */
    async insert(exp: NewPersonalDataExport): Promise<PersonalDataExportDoc> {
      const doc = await PersonalDataExport.create({ ...exp, state: 'queued', fileId: null, size: null, counts: null, readyAt: null, downloadedAt: null, error: null });
      return doc.toObject();
    },

    /** One export, or null. */
    findById(id: Types.ObjectId): Promise<PersonalDataExportDoc | null> {
      return PersonalDataExport.findById(id).lean<PersonalDataExportDoc>().exec();
    },

    /** This admin's export of this person still queued and not expired at `now` (a second click finds the first). */
    findQueued(contactId: Types.ObjectId, requestedBy: Types.ObjectId, now: Date): Promise<PersonalDataExportDoc | null> {
      return PersonalDataExport.findOne({ contactId, requestedBy, state: 'queued', expiresAt: { $gt: now } }).lean<PersonalDataExportDoc>().exec();
    },

    /** A person's exports, newest first, at most `limit`. */
    listByContact(contactId: Types.ObjectId, limit: number): Promise<PersonalDataExportDoc[]> {
      return PersonalDataExport.find({ contactId }).sort({ requestedAt: -1, _id: -1 }).limit(limit).lean<PersonalDataExportDoc[]>().exec();
    },

    /**
     * Records the file id a job run is about to write its archive under, replacing `previous` (what an
     * earlier run recorded, whose file the caller removed): false when the export is no longer queued
     * or another run moved it on meanwhile. Recorded first, a file a crash cut short is never lost track of.
     */
    async startBuild(id: Types.ObjectId, previous: Types.ObjectId | null, next: Types.ObjectId): Promise<boolean> {
      const res = await PersonalDataExport.updateOne({ _id: id, state: 'queued', fileId: previous }, { $set: { fileId: next } });
      return res.modifiedCount === 1;
    },

    /** Queued → ready with the archive its run recorded; false when it was no longer queued or another run took over. */
    async markReady(id: Types.ObjectId, archive: ExportArchive): Promise<boolean> {
      const res = await PersonalDataExport.updateOne({ _id: id, state: 'queued', fileId: archive.fileId }, { $set: { state: 'ready', size: archive.size, counts: archive.counts, readyAt: archive.at } });
      return res.modifiedCount === 1;
    },

    /** Queued → failed with an error code. */
    async markFailed(id: Types.ObjectId, error: string): Promise<void> {
      await PersonalDataExport.updateOne({ _id: id, state: 'queued' }, { $set: { state: 'failed', error: error.slice(0, 100) } });
    },

    /**
     * Ready → downloaded, for its requester while not expired: the one download. Null when another
     * request took it first, or it is not (or no longer) downloadable.
     */
    claimDownload(id: Types.ObjectId, requestedBy: Types.ObjectId, now: Date): Promise<PersonalDataExportDoc | null> {
      return PersonalDataExport.findOneAndUpdate({ _id: id, requestedBy, state: 'ready', expiresAt: { $gt: now } }, { $set: { state: 'downloaded', downloadedAt: now } }, { returnDocument: 'after' })
        .lean<PersonalDataExportDoc>()
        .exec();
    },

    /** Gives a claimed download back (the download could not be logged, so it did not happen). */
    async releaseDownload(id: Types.ObjectId): Promise<void> {
      await PersonalDataExport.updateOne({ _id: id, state: 'downloaded' }, { $set: { state: 'ready', downloadedAt: null } });
    },

    /** Forgets the archive once its file was removed from GridFS. */
    async clearFile(id: Types.ObjectId, fileId: Types.ObjectId): Promise<void> {
      await PersonalDataExport.updateOne({ _id: id, fileId }, { $set: { fileId: null } });
    },

    /** Ready or queued → expired, when past its expiry at `now`; true when this call expired it. */
    async markExpired(id: Types.ObjectId, now: Date): Promise<boolean> {
      const res = await PersonalDataExport.updateOne({ _id: id, state: { $in: ['ready', 'queued'] }, expiresAt: { $lte: now } }, { $set: { state: 'expired' } });
      return res.modifiedCount === 1;
    },

    /**
     * The sweep's next batch: exports past their expiry still ready or queued, expired or failed ones
     * whose archive is still stored, and downloaded ones too once downloaded before `downloadedBefore`.
     */
    listToSweep(now: Date, downloadedBefore: Date, limit: number): Promise<Array<Pick<PersonalDataExportDoc, '_id' | 'state' | 'fileId' | 'expiresAt'>>> {
      return PersonalDataExport.find(
        {
          $or: [
            { state: { $in: ['ready', 'queued'] }, expiresAt: { $lte: now } },
            { state: { $in: ['expired', 'failed'] }, fileId: { $ne: null } },
            { state: 'downloaded', fileId: { $ne: null }, downloadedAt: { $lt: downloadedBefore } },
          ],
        },
        { state: 1, fileId: 1, expiresAt: 1 },
      )
        .limit(limit)
        .lean<Array<Pick<PersonalDataExportDoc, '_id' | 'state' | 'fileId' | 'expiresAt'>>>()
        .exec();
    },

    /** Queued exports asked for before `before` and not expired at `now`: their job may have been lost. */
    listStaleQueued(before: Date, now: Date, limit: number): Promise<Array<Pick<PersonalDataExportDoc, '_id'>>> {
      return PersonalDataExport.find({ state: 'queued', expiresAt: { $gt: now }, requestedAt: { $lt: before } }, { _id: 1 }).limit(limit).lean<Array<Pick<PersonalDataExportDoc, '_id'>>>().exec();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type PersonalDataExportStore = ReturnType<typeof createPersonalDataExportStore>;
