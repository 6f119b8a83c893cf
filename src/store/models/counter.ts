import { Schema, type Connection, type Model } from 'mongoose';

export interface CounterDoc {
  _id: string;
  seq: number;
}

const counterSchema = new Schema<CounterDoc>({ _id: { type: String, required: true }, seq: { type: Number, default: 0 } }, { collection: 'counters', versionKey: false });

export type CounterModel = Model<CounterDoc>;

export function counterModel(conn: Connection): CounterModel {
  return conn.model<CounterDoc>('Counter', counterSchema);
}

/** The next value of a named sequence (ticket numbers); atomic across processes. */
export async function nextSequence(counters: CounterModel, name: string): Promise<number> {
  const doc = await counters.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after', lean: true });
  // upsert + new always returns a document
  return doc!.seq;
}
