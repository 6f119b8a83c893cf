import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectId} from 'mongodb';
import { GridFSBucket, type Db } from 'mongodb';
import { AppError } from '../domain/errors.js';

/** What was stored: the file id plus the size and SHA-256 measured while streaming. */
export interface StoredBlob {
  id: ObjectId;
  size: number;
  sha256: string;
  /** True when a file stored earlier under the same key was returned. */
  reused?: boolean;
}

export interface BlobStore {
  /**
   * Stores a file; with `key`, a file already stored under that key is returned instead (idempotent
   * retries). `fresh` says the caller knows no file has that key yet, which saves the look-up.
   */
  put(source: Readable | Buffer, meta: { filename: string; contentType: string; key?: string; fresh?: boolean; metadata?: Record<string, unknown> }): Promise<StoredBlob>;
  open(id: ObjectId): Readable;
  read(id: ObjectId): Promise<Buffer>;
  remove(id: ObjectId): Promise<void>;
  ensureIndexes(): Promise<void>;
}

/**
 * Raw messages and attachments live in GridFS (bucket `blobs`). Writes stream chunk by chunk, so a
 * 25 MB attachment is never held in memory whole; size and hash are computed on the way through.
 */
export function createBlobStore(db: Db, bucketName = 'blobs'): BlobStore {
  const bucket = new GridFSBucket(db, { bucketName });
  const files = db.collection<{ _id: ObjectId; length: number; metadata?: { key?: string; sha256?: string } }>(`${bucketName}.files`);
  return {
    async put(source, meta) {
      if (meta.key && !meta.fresh) {
        const existing = await files.findOne({ 'metadata.key': meta.key });
        if (existing?.metadata?.sha256) return { id: existing._id, size: existing.length, sha256: existing.metadata.sha256, reused: true };
      }
      const known = Buffer.isBuffer(source) ? createHash('sha256').update(source).digest('hex') : null;
      const hash = createHash('sha256');
      let size = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (!known) hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      // A file without sha256 in its metadata is an interrupted upload; a buffer's hash is known up front.
      const upload = bucket.openUploadStream(meta.filename, {
        metadata: { contentType: meta.contentType, ...meta.metadata, ...(meta.key ? { key: meta.key } : {}), ...(known ? { sha256: known } : {}) },
      });
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      await pipeline(input, measure, upload);
      const sha256 = known ?? hash.digest('hex');
      if (!known) await files.updateOne({ _id: upload.id as ObjectId }, { $set: { 'metadata.sha256': sha256 } });
      return { id: upload.id as ObjectId, size, sha256 };
    },
    open(id) {
      return bucket.openDownloadStream(id);
    },
    async read(id) {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') throw new AppError('NOT_FOUND', `Blob ${id.toHexString()} not found`, { cause: err });
        throw err;
      }
      return Buffer.concat(chunks);
    },
    async remove(id) {
      await bucket.delete(id);
    },
    async ensureIndexes() {
      await files.createIndex({ 'metadata.key': 1 }, { sparse: true });
    },
  };
}
