import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Binary, GridFSBucket, ObjectId, type Db } from 'mongodb';
import { AppError } from '../domain/errors.js';
import { syncIndexes, type CollectionIndexes } from './index-sync.js';

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
   * retries). `fresh` says the caller knows no file has that key yet, which saves the look-up. With
   * `id` the file gets that id, so a caller that recorded it first can remove an upload a crash cut short.
   */
  put(source: Readable | Buffer, meta: { filename: string; contentType: string; key?: string; fresh?: boolean; metadata?: Record<string, unknown>; id?: ObjectId }): Promise<StoredBlob>;
  /**
   * Stores several small buffers, each under its key, in three round trips in all: one look-up for
   * the keys, one insert of the chunks, one of the file documents. Same result as `put` with a key.
   */
  putMany(items: Array<{ data: Buffer; filename: string; contentType: string; key: string }>): Promise<StoredBlob[]>;
  open(id: ObjectId): Readable;
  read(id: ObjectId): Promise<Buffer>;
  remove(id: ObjectId): Promise<void>;
  /** The bucket's indexes, for index sync at start-up. */
  readonly indexes: CollectionIndexes[];
  /** Runs index sync on the bucket alone (tests and benchmarks; start-up syncs every collection at once). */
  ensureIndexes(): Promise<void>;
}

interface FileDoc {
  _id: ObjectId;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  filename: string;
  metadata?: { contentType?: string; key?: string; sha256?: string };
}

/** GridFS's default chunk size, so files written by `putMany` look like any other upload. */
const CHUNK_BYTES = 255 * 1024;

/**
 * Raw messages and attachments live in GridFS (bucket `blobs`). Writes stream chunk by chunk, so a
 * 25 MB attachment is never held in memory whole; size and hash are computed on the way through.
 */
export function createBlobStore(db: Db, bucketName = 'blobs'): BlobStore {
  const bucket = new GridFSBucket(db, { bucketName });
  const files = db.collection<FileDoc>(`${bucketName}.files`);
  const chunks = db.collection<{ _id: ObjectId; files_id: ObjectId; n: number; data: Binary }>(`${bucketName}.chunks`);
  // The driver builds its two indexes only on the first upload into an empty bucket, and `putMany`
  // writes without it; so they are declared here along with ours.
  const indexes: CollectionIndexes[] = [
    { collection: files.collectionName, indexes: [{ key: { filename: 1, uploadDate: 1 } }, { key: { 'metadata.key': 1 }, sparse: true }] },
    { collection: chunks.collectionName, indexes: [{ key: { files_id: 1, n: 1 }, unique: true }] },
  ];
  return {
    indexes,
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
      const options = { metadata: { contentType: meta.contentType, ...meta.metadata, ...(meta.key ? { key: meta.key } : {}), ...(known ? { sha256: known } : {}) } };
      const upload = meta.id ? bucket.openUploadStreamWithId(meta.id, meta.filename, options) : bucket.openUploadStream(meta.filename, options);
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      try {
        await pipeline(input, measure, upload);
      } catch (err) {
        // A source that fails midway (an upload over its limit, a client gone) leaves no chunks behind.
        await upload.abort().catch(() => {});
        throw err;
      }
      const sha256 = known ?? hash.digest('hex');
      if (!known) await files.updateOne({ _id: upload.id as ObjectId }, { $set: { 'metadata.sha256': sha256 } });
      return { id: upload.id as ObjectId, size, sha256 };
    },
    async putMany(items) {
      if (items.length === 0) return [];
      const found = await files.find({ 'metadata.key': { $in: items.map((i) => i.key) } }).toArray();
      const byKey = new Map(found.filter((f) => f.metadata?.sha256).map((f) => [f.metadata!.key!, f]));
      const newChunks: Array<{ _id: ObjectId; files_id: ObjectId; n: number; data: Binary }> = [];
      const newFiles: FileDoc[] = [];
      const stored = items.map((item): StoredBlob => {
        const existing = byKey.get(item.key);
        if (existing) return { id: existing._id, size: existing.length, sha256: existing.metadata!.sha256!, reused: true };
        const id = new ObjectId();
        const sha256 = createHash('sha256').update(item.data).digest('hex');
        for (let n = 0, at = 0; at < item.data.length; n++, at += CHUNK_BYTES) {
          newChunks.push({ _id: new ObjectId(), files_id: id, n, data: new Binary(item.data.subarray(at, at + CHUNK_BYTES)) });
        }
        // The file document, with its hash, goes in after its chunks: as with `put`, it marks the upload complete.
        newFiles.push({ _id: id, length: item.data.length, chunkSize: CHUNK_BYTES, uploadDate: new Date(), filename: item.filename, metadata: { contentType: item.contentType, key: item.key, sha256 } });
        byKey.set(item.key, newFiles.at(-1)!);
        return { id, size: item.data.length, sha256 };
      });
      if (newChunks.length > 0) await chunks.insertMany(newChunks, { ordered: false });
      if (newFiles.length > 0) await files.insertMany(newFiles, { ordered: false });
      return stored;
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
      await syncIndexes(db, indexes);
    },
  };
}
