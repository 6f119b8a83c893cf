import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobStore, type BlobStore } from '../../../src/store/blob-store.js';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let blobs: BlobStore;

beforeAll(async () => {
  db = await openTestDb('blobs');
  blobs = createBlobStore(db.connection.db!);
});
afterAll(() => db.drop());

describe('blob store (GridFS)', () => {
  it('streams a 25 MB attachment in and out chunk by chunk, with its size and hash', async () => {
    const chunk = randomBytes(1024 * 1024);
    const expected = createHash('sha256');
    let produced = 0;
    // A lazy source: one megabyte at a time, so the whole file never exists in memory at once.
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 25; i++) {
          const part = Buffer.from(chunk);
          part.writeUInt32BE(i, 0);
          expected.update(part);
          produced += part.length;
          yield part;
        }
      })(),
    );
    const stored = await blobs.put(source, { filename: 'big.bin', contentType: 'application/octet-stream' });
    expect(stored.size).toBe(25 * 1024 * 1024);
    expect(produced).toBe(stored.size);
    expect(stored.sha256).toBe(expected.digest('hex'));

    const chunks = await db.connection.db!.collection('blobs.chunks').countDocuments({ files_id: stored.id });
    expect(chunks).toBe(Math.ceil(stored.size / (255 * 1024)));

    const back = createHash('sha256');
    let size = 0;
    for await (const part of blobs.open(stored.id)) {
      back.update(part as Buffer);
      size += (part as Buffer).length;
    }
    expect(size).toBe(stored.size);
    expect(back.digest('hex')).toBe(stored.sha256);
  });

  it('stores a small buffer and removes it', async () => {
    const stored = await blobs.put(Buffer.from('From: a@b\r\n\r\nhi'), { filename: 'raw.eml', contentType: 'message/rfc822' });
    expect((await blobs.read(stored.id)).toString()).toBe('From: a@b\r\n\r\nhi');
    await blobs.remove(stored.id);
    await expect(blobs.read(stored.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stores several buffers at once, readable like any upload, and returns the stored one for a known key', async () => {
    const big = randomBytes(600 * 1024);
    const [a, b] = await blobs.putMany([
      { data: Buffer.from('From: a@b\r\n\r\none'), filename: 'a.eml', contentType: 'message/rfc822', key: 'many:a' },
      { data: big, filename: 'b.bin', contentType: 'application/octet-stream', key: 'many:b' },
    ]);
    expect((await blobs.read(a!.id)).toString()).toBe('From: a@b\r\n\r\none');
    expect((await blobs.read(b!.id)).equals(big)).toBe(true);
    expect(b).toMatchObject({ size: big.length, sha256: createHash('sha256').update(big).digest('hex') });
    expect(await db.connection.db!.collection('blobs.chunks').countDocuments({ files_id: b!.id })).toBe(3);
    // A retry (or `put` with the same key) finds the files instead of storing them again.
    const [again] = await blobs.putMany([{ data: Buffer.from('ignored'), filename: 'a.eml', contentType: 'message/rfc822', key: 'many:a' }]);
    expect(again).toMatchObject({ id: a!.id, reused: true });
    expect(await blobs.put(big, { filename: 'b.bin', contentType: 'application/octet-stream', key: 'many:b' })).toMatchObject({ id: b!.id, reused: true });
  });
});
