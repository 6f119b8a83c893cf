import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import mongoose from 'mongoose';
import { isAppError } from '../../../src/domain/errors.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { modelIndexes, syncIndexes, type CollectionIndexes } from '../../../src/store/index-sync.js';
import { createModels } from '../../../src/store/models/index.js';
import { openBareDb, recordingLogger } from '../../helpers/migrations.js';

const opened: Array<{ drop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.drop()));
});

async function bareDb(prefix: string) {
  const db = await openBareDb(prefix);
  opened.push(db);
  return db;
}

// Declarations only: models on a connection that never connects, so nothing is created behind our back.
const declared = (db: Db): CollectionIndexes[] => [...modelIndexes(createModels(mongoose.createConnection())), ...createBlobStore(db).indexes];

const indexesOf = async (db: Db, collection: string) => Object.fromEntries((await db.collection(collection).listIndexes().toArray()).map((ix) => [ix.name as string, ix]));

describe('index sync', () => {
  it('builds every declared index on a new database, and finds nothing to do the second time', async () => {
    const { db } = await bareDb('ixs_new');
    const first = await syncIndexes(db, declared(db));
    const expected = declared(db).reduce((n, c) => n + c.indexes.length, 0);
    expect(first.created).toHaveLength(expected);
    expect(first.created).toEqual(expect.arrayContaining(['users.email_1', 'worker_heartbeats.beatAt_1', 'blobs.files.metadata.key_1', 'blobs.chunks.files_id_1_n_1']));
    expect(await indexesOf(db, 'worker_heartbeats')).toMatchObject({ beatAt_1: { key: { beatAt: 1 }, expireAfterSeconds: 86_400 } });
    expect(await indexesOf(db, 'messages')).toMatchObject({
      dedupeKey_1: { unique: true, sparse: true },
      messageId_1_direction_1: { unique: true, partialFilterExpression: { direction: 'outbound', messageId: { $type: 'string' } } },
    });
    // Collections without indexes of their own exist too, as the old start-up left them.
    expect((await db.listCollections({ name: 'counters' }).toArray()).length).toBe(1);

    const { logger, lines } = recordingLogger();
    expect(await syncIndexes(db, declared(db), logger)).toEqual({ created: [], replaced: [] });
    expect(lines).toEqual([]);
  });

  it('replaces an index whose TTL changed and logs the collection, the index and the change', async () => {
    const { db } = await bareDb('ixs_ttl');
    await db.collection('worker_heartbeats').createIndex({ beatAt: 1 }, { expireAfterSeconds: 3600 });
    const { logger, lines } = recordingLogger();

    const report = await syncIndexes(db, declared(db), logger);

    expect(report.replaced).toEqual([{ collection: 'worker_heartbeats', index: 'beatAt_1', changes: ['expireAfterSeconds 3600 → 86400'] }]);
    expect(report.created).not.toContain('worker_heartbeats.beatAt_1');
    expect((await indexesOf(db, 'worker_heartbeats')).beatAt_1).toMatchObject({ expireAfterSeconds: 86_400 });
    const line = lines.find((l) => l.index === 'beatAt_1');
    expect(line).toMatchObject({ level: 40, collection: 'worker_heartbeats', msg: 'index sync: replaced index worker_heartbeats.beatAt_1 (expireAfterSeconds 3600 → 86400)' });
  });

  it('replaces indexes whose unique, sparse or partial filter changed, and one that holds a declared key under another name', async () => {
    const { db } = await bareDb('ixs_opts');
    await db.collection('users').createIndex({ email: 1 });
    await db.collection('tickets').createIndex({ originKey: 1 }, { unique: true });
    await db.collection('messages').createIndex({ messageId: 1, direction: 1 }, { unique: true, partialFilterExpression: { direction: 'outbound' } });
    await db.collection('contacts').createIndex({ email: 1 }, { name: 'by_email' });

    const report = await syncIndexes(db, declared(db));

    expect(report.replaced).toEqual(
      expect.arrayContaining([
        { collection: 'users', index: 'email_1', changes: ['unique false → true'] },
        { collection: 'tickets', index: 'originKey_1', changes: ['sparse false → true'] },
        {
          collection: 'messages',
          index: 'messageId_1_direction_1',
          changes: ['partialFilterExpression {"direction":"outbound"} → {"direction":"outbound","messageId":{"$type":"string"}}'],
        },
        { collection: 'contacts', index: 'email_1', changes: ['name by_email → email_1', 'unique false → true'] },
      ]),
    );
    expect(report.replaced).toHaveLength(4);
    expect(Object.keys(await indexesOf(db, 'contacts')).sort()).toEqual(['_id_', 'email_1', 'primaryContactId_1']);
    expect((await indexesOf(db, 'users')).email_1).toMatchObject({ unique: true });
  });

  it('keeps indexes it does not know, and an equal index under another name', async () => {
    const { db } = await bareDb('ixs_unknown');
    await db.collection('tickets').createIndex({ 'custom.field': 1 }, { name: 'ops_custom' });
    await db.collection('users').createIndex({ inboxIds: 1 }, { name: 'users_by_inbox' });

    const report = await syncIndexes(db, declared(db));

    expect(report.replaced).toEqual([]);
    expect(report.created).not.toContain('users.inboxIds_1');
    expect(await indexesOf(db, 'tickets')).toHaveProperty('ops_custom');
    const users = await indexesOf(db, 'users');
    expect(users).toHaveProperty('users_by_inbox');
    expect(users).not.toHaveProperty('inboxIds_1');
  });

  it('stops on a new unique index over duplicate documents, naming the collection, the key and one duplicate value', async () => {
    const { db } = await bareDb('ixs_dup_new');
    await db.collection('contacts').insertMany([
      { email: 'ada@example.com' },
      { email: 'twice@example.com' },
      { email: 'twice@example.com' },
    ]);

    const err = await syncIndexes(db, declared(db)).catch((e: unknown) => e);

    expect(isAppError(err, 'SCHEMA_UPGRADE_FAILED')).toBe(true);
    expect((err as Error).message).toBe(
      'Cannot build unique index contacts.email_1 on {"email":1}: 2 documents have email = "twice@example.com". Merge or remove the duplicates, then start again.',
    );
    expect((err as { details?: unknown }).details).toEqual({ collection: 'contacts', index: 'email_1', key: { email: 1 }, value: { email: 'twice@example.com' } });
  });

  it('stops before dropping the index it would replace when the unique version meets duplicates', async () => {
    const { db } = await bareDb('ixs_dup_replace');
    await db.collection('quarantine').createIndex({ inboxId: 1, contentHash: 1 });
    await db.collection('quarantine').insertMany([
      { inboxId: 'support', contentHash: 'abc' },
      { inboxId: 'support', contentHash: 'abc' },
      { inboxId: 'sales', contentHash: 'abc' },
    ]);

    const err = await syncIndexes(db, declared(db)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'SCHEMA_UPGRADE_FAILED',
      message: expect.stringContaining('quarantine.inboxId_1_contentHash_1 on {"inboxId":1,"contentHash":1}: 2 documents have inboxId = "support", contentHash = "abc"'),
    });
    expect((await indexesOf(db, 'quarantine')).inboxId_1_contentHash_1).toBeDefined();
    expect((await indexesOf(db, 'quarantine')).inboxId_1_contentHash_1).not.toHaveProperty('unique');
  });

  it('counts missing values as equal under a unique index, but not under a sparse one', async () => {
    const { db } = await bareDb('ixs_dup_missing');
    await db.collection('tickets').insertMany([{ number: 1 }, { number: 2 }]);
    await db.collection('inboxes').insertMany([{ name: 'a' }, { name: 'b' }]);

    // tickets.originKey is unique and sparse: documents without it are not in the index.
    const all = declared(db);
    const declaredHere = ['tickets', 'inboxes'].map((name) => all.find((c) => c.collection === name)!);
    const err = await syncIndexes(db, declaredHere).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^Cannot build unique index inboxes\.address_1 on \{"address":1\}: 2 documents have address = null\./);
    expect((await indexesOf(db, 'tickets')).originKey_1).toMatchObject({ unique: true, sparse: true });
  });

  it('refuses an index option it cannot compare', () => {
    const schema = new mongoose.Schema({ title: String });
    schema.index({ title: 1 }, { collation: { locale: 'en' } });
    const model = mongoose.createConnection().model('Collated', schema, 'collated');
    expect(() => modelIndexes({ model })).toThrow(/cannot compare the option collation of an index on collated/);
  });
});
