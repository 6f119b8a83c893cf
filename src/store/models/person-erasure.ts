import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ErasureCounts } from '../../domain/erasure.js';

/** Where an erasure stands: recorded and being carried out (resumable), or done. */
export const ERASURE_STATES = ['running', 'done'] as const;
export type ErasureState = (typeof ERASURE_STATES)[number];

/**
 * One person's erasure (services/personal-data/erase-person.ts), recorded before anything is
 * erased so a run cut short can be carried on: while `running`, it holds the addresses and names
 * to look for (the contacts are anonymised last, so they cannot be read back); once `done`, only
 * the counts, who asked and when remain.
 */
export interface PersonErasureDoc {
  _id: Types.ObjectId;
  /** The primary contact erased (with its aliases). */
  contactId: Types.ObjectId;
  state: ErasureState;
  requestedAt: Date;
  requestedBy: Types.ObjectId | null;
  /** Lower-cased addresses and names of the person; emptied when done. */
  addresses: string[];
  names: string[];
  /** The alias contacts erased with the primary. */
  aliasIds: Types.ObjectId[];
  /** What the preview counted when it was asked. */
  counts: ErasureCounts;
  doneAt: Date | null;
}

const personErasureSchema = new Schema<PersonErasureDoc>(
  {
    contactId: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    state: { type: String, enum: ERASURE_STATES, required: true },
    requestedAt: { type: Date, required: true },
    requestedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    addresses: { type: [String], default: [] },
    names: { type: [String], default: [] },
    aliasIds: { type: [Schema.Types.ObjectId], default: [] },
    counts: { type: Schema.Types.Mixed, required: true },
    doneAt: { type: Date, default: null },
  },
  { collection: 'person_erasures', versionKey: false, minimize: false },
);
// One erasure per person: asking twice carries on the first.
personErasureSchema.index({ contactId: 1 }, { unique: true });
// Erasures left running (a crash), for the resume.
personErasureSchema.index({ state: 1, requestedAt: 1 });

/** The `person_erasures` model. */
export type PersonErasureModel = Model<PersonErasureDoc>;

/** Registers the `person_erasures` model on a connection. */
export function personErasureModel(conn: Connection): PersonErasureModel {
  return conn.model<PersonErasureDoc>('PersonErasure', personErasureSchema);
}
