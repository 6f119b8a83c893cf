import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { MongoClient, type Db } from 'mongodb';

/* Real Agenda 6 with the MongoDB backend: Threadline's job workers depend on these guarantees. */
const uri = inject('mongoUri');
const dbName = `devdb_agenda_${process.pid}_${Date.now().toString(36)}`;

let client: MongoClient;
let db: Db;
const running: Agenda[] = [];

beforeAll(async () => {
  client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5000 });
  db = client.db(dbName);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

function agenda(collection: string, name: string): Agenda {
  const a = new Agenda({
    backend: new MongoBackend({ address: `${uri}/${dbName}`, collection }),
    name,
    processEvery: 50,
    defaultLockLifetime: 10_000,
  });
  running.push(a);
  return a;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('agenda on this database', () => {
  it('runs a one-off job exactly once', async () => {
    const a = agenda('oneoff', 'w1');
    let runs = 0;
    a.define('once', async () => {
      runs++;
    });
    await a.start();
    await a.now('once', { x: 1 });
    await until(() => runs >= 1, 5000);
    await sleep(400);
    expect(runs).toBe(1);
  }, 15_000);

  it('runs a recurring job repeatedly', async () => {
    const a = agenda('recurring', 'w1');
    let runs = 0;
    a.define('tick', async () => {
      runs++;
    });
    await a.start();
    await a.every('1 second', 'tick');
    await until(() => runs >= 3, 8000);
    expect(await db.collection('recurring').countDocuments({ name: 'tick' })).toBe(1);
  }, 15_000);

  it('never runs a shared job twice across two instances', async () => {
    const counts = new Map<string, number>();
    const handler = async (job: { attrs: { _id?: unknown } }): Promise<void> => {
      const id = String(job.attrs._id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      await sleep(10);
    };
    const a = agenda('shared', 'w1');
    const b = agenda('shared', 'w2');
    a.define('work', handler, { concurrency: 5 });
    b.define('work', handler, { concurrency: 5 });
    await Promise.all([a.ready, b.ready]);
    for (let i = 0; i < 30; i++) await a.now('work', { i });
    await Promise.all([a.start(), b.start()]);
    await until(() => counts.size >= 30, 10_000);
    await sleep(500);
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const modifiers = await db.collection('shared').distinct('lastModifiedBy');
    expect(modifiers.length).toBeGreaterThanOrEqual(1);
  }, 15_000);

  it('does not duplicate a unique job and cancels jobs', async () => {
    const a = agenda('unique', 'w1');
    a.define('digest', async () => {});
    a.define('later', async () => {});
    await a.ready;
    for (let i = 0; i < 3; i++) {
      await a.create('digest', { inbox: 'i1' }).unique({ name: 'digest', 'data.inbox': 'i1' }).schedule('in 10 minutes').save();
    }
    await a.create('digest', { inbox: 'i2' }).unique({ name: 'digest', 'data.inbox': 'i2' }).schedule('in 10 minutes').save();
    expect(await db.collection('unique').countDocuments({ name: 'digest' })).toBe(2);
    await a.schedule('in 10 minutes', 'later', { n: 1 });
    await a.schedule('in 20 minutes', 'later', { n: 2 });
    expect(await a.cancel({ name: 'later' })).toBe(2);
    expect(await db.collection('unique').countDocuments({ name: 'later' })).toBe(0);
    expect(await db.collection('unique').countDocuments()).toBe(2);
  }, 15_000);
});
