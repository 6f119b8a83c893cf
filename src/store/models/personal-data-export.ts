import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { EXPORT_STATES, type ExportState } from '../../domain/personal-data-export.js';

/**
 * One export of a person's data (`personal_data_exports`, domain/personal-data-export.ts): who asked
 * for it and when, where the job stands, and the archive in GridFS while it may be downloaded. Holds
 * ids, dates and counts only: the person's data is in the archive, removed after download or expiry.
 */
export interface PersonalDataExportDoc {
  _id: Types.ObjectId;
  /** The person's primary contact (an export asked for on an alias names its primary). */
  contactId: Types.ObjectId;
  /** The admin who asked for it: the only one who may download it. */
  requestedBy: Types.ObjectId;
  requestedAt: Date;
  state: ExportState;
  expiresAt: Date;
  /**
   * The archive in GridFS while it may exist: recorded by the job before it writes (so a run cut short
   * leaves nothing untracked), kept while ready, cleared once the file is removed.
   */
  fileId: Types.ObjectId | null;
  size: number | null;
  /** What the archive holds. */
  counts: { tickets: number; messages: number } | null;
  readyAt: Date | null;
  downloadedAt: Date | null;
  /** Why the job failed: an error code, never the person's data. */
  error: string | null;
}

const personalDataExportSchema = new Schema<PersonalDataExportDoc>(
  {
    contactId: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    requestedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    requestedAt: { type: Date, required: true },
    state: { type: String, enum: EXPORT_STATES, required: true },
    expiresAt: { type: Date, required: true },
    fileId: { type: Schema.Types.ObjectId, default: null },
    size: { type: Number, default: null },
    counts: { type: new Schema({ tickets: Number, messages: Number }, { _id: false }), default: null },
    readyAt: { type: Date, default: null },
    downloadedAt: { type: Date, default: null },
    error: { type: String, default: null },
  },
  { collection: 'personal_data_exports', versionKey: false },
);
// The contact page lists a person's exports, newest first.
personalDataExportSchema.index({ contactId: 1, requestedAt: -1 });
// The sweep finds exports past their expiry, and archives still stored after a download.
personalDataExportSchema.index({ state: 1, expiresAt: 1 });

/** The `personal_data_exports` model. */
export type PersonalDataExportModel = Model<PersonalDataExportDoc>;

/** Registers the `personal_data_exports` model on a connection. */
export function personalDataExportModel(conn: Connection): PersonalDataExportModel {
  return conn.model<PersonalDataExportDoc>('PersonalDataExport', personalDataExportSchema);
}
