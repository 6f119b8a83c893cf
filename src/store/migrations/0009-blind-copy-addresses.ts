import type { AnyBulkWriteOperation, Document, ObjectId } from 'mongodb';
import type { Migration } from './migration.js';

const BATCH = 500;

interface BlindCopied extends Document {
  _id: ObjectId;
  bcc: Array<{ address: string; name?: string | null }>;
}

/**
 * Blind copies are stored lower-cased from now on (like participants), so that the person's tickets
 * where they were only Bcc'd are found by address (contact page, export, erasure). Older replies kept
 * the address as the agent typed it: lower-cased here. Only messages with an upper-case letter in a
 * blind copy are rewritten, so a second run changes nothing.
 */
export const blindCopyAddresses: Migration = {
  version: 9,
  name: 'blind-copy-addresses',
  async up({ db, logger }) {
    const messages = db.collection<BlindCopied>('messages');
    let changed = 0;
    let ops: AnyBulkWriteOperation<BlindCopied>[] = [];
    const flush = async () => {
      if (ops.length > 0) await messages.bulkWrite(ops, { ordered: false });
      changed += ops.length;
      ops = [];
    };
    for await (const m of messages.find({ 'bcc.address': { $regex: '[A-Z]' } }, { projection: { bcc: 1 } })) {
      ops.push({ updateOne: { filter: { _id: m._id }, update: { $set: { bcc: m.bcc.map((a) => ({ ...a, address: a.address.toLowerCase() })) } } } });
      if (ops.length >= BATCH) await flush();
    }
    await flush();
    if (changed > 0) logger.info({ messages: changed }, 'lower-cased the blind copies of older replies');
  },
};
