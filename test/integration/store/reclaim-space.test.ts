import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MongoClient, type Db } from 'mongodb';
import { reclaimSpace } from '../../../src/store/reclaim-space.js';
import { uniqueDbName } from '../../helpers/db.js';

/* reclaimSpace after an erasure: compacts what exists, skips what does not, never throws. */

let client: MongoClient;
let db: Db;
const compacted: string[] = [];

beforeAll(async () => {
  client = new MongoClient(inject('mongoUri'), { serverSelectionTimeoutMS: 5000, monitorCommands: true });
  client.on('commandStarted', (e) => e.commandName === 'compact' && compacted.push(String(e.command.compact)));
  await client.connect();
  db = client.db(uniqueDbName('reclaim'));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

function recordingLogger(): { warn: (obj: object, msg?: string) => void; warnings: Array<{ obj: object; msg?: string }> } {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  return { warnings, warn: (obj, msg) => void warnings.push({ obj, msg }) };
}

describe('reclaimSpace', () => {
  it('compacts the collections after deletions and keeps their documents; a missing collection is skipped quietly', async () => {
    await db.collection('messages').insertMany(Array.from({ length: 20 }, (_, i) => ({ i, body: 'b'.repeat(20_000) })));
    await db.collection('messages').deleteMany({ i: { $lt: 15 } });
    await db.collection('tickets').insertOne({ n: 1 });
    const logger = recordingLogger();
    await reclaimSpace(db, ['not_there', 'messages', 'tickets', 'messages'], logger);
    expect(logger.warnings).toEqual([]);
    // The built-in server compacts its one file whole: once is enough there.
    expect(compacted).toEqual(inject('realMongo') ? ['not_there', 'messages', 'tickets'] : ['not_there', 'messages']);
    expect(await db.collection('messages').countDocuments()).toBe(5);
    expect(await db.collection('tickets').countDocuments()).toBe(1);
  });

  it('logs a failure and resolves instead of failing the caller', async () => {
    const closed = new MongoClient(inject('mongoUri'), { serverSelectionTimeoutMS: 5000 });
    await closed.connect();
    await closed.close();
    const logger = recordingLogger();
    await expect(reclaimSpace(closed.db(db.databaseName), ['messages', 'tickets'], logger)).resolves.toBeUndefined();
    expect(logger.warnings.map((w) => w.obj)).toMatchObject([{ collection: 'messages' }, { collection: 'tickets' }]);
  });
});
