import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import mongoose, { Schema, type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';

/* Real mongoose 9 over the wire: the features Threadline's models use. */
const uri = inject('mongoUri');
const dbName = `devdb_mongoose_${process.pid}_${Date.now().toString(36)}`;

let conn: Connection;
const started: CommandStartedEvent[] = [];

beforeAll(async () => {
  conn = mongoose.createConnection(uri, { dbName, monitorCommands: true, serverSelectionTimeoutMS: 5000, autoIndex: false });
  await conn.asPromise();
  conn.getClient().on('commandStarted', (e) => started.push(e));
});

afterAll(async () => {
  await conn?.dropDatabase();
  await conn?.close();
});

describe('mongoose', () => {
  it('reports unique index violations as E11000 MongoServerError', async () => {
    const User = conn.model('User', new Schema({ email: { type: String, required: true, unique: true }, name: String }));
    await User.init();
    await User.syncIndexes();
    const names = (await User.listIndexes()).map((i) => i.name);
    expect(names).toEqual(['_id_', 'email_1']);
    await User.create({ email: 'a@example.com', name: 'A' });
    const err = (await User.create({ email: 'a@example.com', name: 'B' }).catch((e: unknown) => e)) as { name: string; code: number; keyValue: unknown };
    expect(err.name).toBe('MongoServerError');
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ email: 'a@example.com' });
    const upd = (await User.updateOne({ name: 'A' }, { $set: { email: 'a@example.com' } }).then(() => null));
    expect(upd).toBeNull();
    await User.create({ email: 'b@example.com' });
    const dup = (await User.findOneAndUpdate({ email: 'b@example.com' }, { email: 'a@example.com' }).catch((e: unknown) => e)) as { code: number };
    expect(dup.code).toBe(11000);
    expect(await User.countDocuments()).toBe(2);
  });

  it('upserts with $setOnInsert through findOneAndUpdate', async () => {
    const Contact = conn.model('Contact', new Schema({ email: String, firstSeenBy: String, lastSeenAt: Date, hits: Number }));
    const opts = { upsert: true, new: true, includeResultMetadata: true } as const;
    const first = await Contact.findOneAndUpdate({ email: 'x@example.com' }, { $set: { lastSeenAt: new Date() }, $setOnInsert: { firstSeenBy: 'one' }, $inc: { hits: 1 } }, opts);
    expect(first.lastErrorObject?.updatedExisting).toBe(false);
    expect(first.value?.firstSeenBy).toBe('one');
    const second = await Contact.findOneAndUpdate({ email: 'x@example.com' }, { $set: { lastSeenAt: new Date() }, $setOnInsert: { firstSeenBy: 'two' }, $inc: { hits: 1 } }, opts);
    expect(second.lastErrorObject?.updatedExisting).toBe(true);
    expect(second.value?.firstSeenBy).toBe('one');
    expect(second.value?.hits).toBe(2);
    expect(String(second.value?._id)).toBe(String(first.value?._id));
  });

  it('aggregates with $facet and counts documents', async () => {
    const Ticket = conn.model('Ticket', new Schema({ status: String, priority: Number }));
    await Ticket.insertMany(Array.from({ length: 30 }, (_, i) => ({ status: ['open', 'pending', 'closed'][i % 3], priority: i % 5 })));
    expect(await Ticket.countDocuments({ status: 'open' })).toBe(10);
    const [facets] = await Ticket.aggregate<{ byStatus: Array<{ _id: string; n: number }>; top: Array<{ priority: number }>; total: Array<{ n: number }> }>([
      { $match: { priority: { $gte: 1 } } },
      { $facet: {
        byStatus: [{ $group: { _id: '$status', n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
        top: [{ $sort: { priority: -1 } }, { $limit: 2 }, { $project: { _id: 0, priority: 1 } }],
        total: [{ $count: 'n' }],
      } },
    ]);
    expect(facets?.byStatus).toEqual([{ _id: 'closed', n: 8 }, { _id: 'open', n: 8 }, { _id: 'pending', n: 8 }]);
    expect(facets?.top).toEqual([{ priority: 4 }, { priority: 4 }]);
    expect(facets?.total).toEqual([{ n: 24 }]);
  });

  it('pages 250 documents through a cursor with batchSize', async () => {
    const Item = conn.model('Item', new Schema({ i: Number }));
    await Item.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    started.length = 0;
    const seen: number[] = [];
    for await (const doc of Item.find().sort({ i: 1 }).batchSize(50).cursor()) seen.push(doc.i as number);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(started.filter((e) => e.commandName === 'getMore').length).toBeGreaterThanOrEqual(4);
  });

  it('populates references', async () => {
    const Author = conn.model('Author', new Schema({ name: String }));
    const Book = conn.model('Book', new Schema({ title: String, author: { type: Schema.Types.ObjectId, ref: 'Author' } }));
    const [ann, bob] = await Author.create([{ name: 'Ann' }, { name: 'Bob' }]);
    await Book.create([{ title: 'One', author: ann?._id }, { title: 'Two', author: bob?._id }, { title: 'Three', author: ann?._id }]);
    const books = await Book.find().sort({ title: 1 }).populate<{ author: { name: string } }>('author').lean();
    expect(books.map((b) => [b.title, b.author.name])).toEqual([['One', 'Ann'], ['Three', 'Ann'], ['Two', 'Bob']]);
  });

  it('maintains timestamps', async () => {
    const Note = conn.model('Note', new Schema({ body: String }, { timestamps: true }));
    const note = await Note.create({ body: 'a' });
    const created = note.get('createdAt') as Date;
    expect(created).toBeInstanceOf(Date);
    // updatedAt must come out later than createdAt: wait until the clock has moved on.
    await expect.poll(() => Date.now(), { interval: 1 }).toBeGreaterThan(created.getTime());
    await Note.updateOne({ _id: note._id }, { $set: { body: 'b' } });
    const again = await Note.findById(note._id).lean<{ body: string; createdAt: Date; updatedAt: Date }>();
    expect(again?.body).toBe('b');
    expect(again?.createdAt.getTime()).toBe(created.getTime());
    expect(again?.updatedAt.getTime()).toBeGreaterThan(created.getTime());
  });

  it('round-trips BigInt (Long), Decimal128, Double and Int32 schema types', async () => {
    const Money = conn.model('Money', new Schema({
      big: BigInt, price: Schema.Types.Decimal128, ratio: Schema.Types.Double, count: Schema.Types.Int32,
    }));
    const big = 2n ** 60n + 7n;
    const saved = await Money.create({ big, price: '19.99', ratio: 2, count: 3 });
    const back = await Money.findById(saved._id);
    expect(back?.get('big')).toBe(big);
    expect(String(back?.get('price'))).toBe('19.99');
    expect(Number(back?.get('ratio'))).toBe(2);
    const raw = await conn.db?.collection('money').findOne({ _id: saved._id }, { promoteValues: false });
    expect([raw?.big?._bsontype, raw?.price?._bsontype, raw?.ratio?._bsontype, raw?.count?._bsontype]).toEqual(['Long', 'Decimal128', 'Double', 'Int32']);
    await Money.updateOne({ _id: saved._id }, { $inc: { big: 1n, count: 1 } });
    const inc = await Money.findById(saved._id);
    expect(inc?.get('big')).toBe(big + 1n);
    expect(Number(inc?.get('count'))).toBe(4);
    expect(await Money.countDocuments({ big: { $gt: 2n ** 59n } })).toBe(1);
  });
});
