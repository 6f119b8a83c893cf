import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { BSON, Long, type Document } from 'bson';

/* The wire protocol as drivers use it, spoken byte by byte (valid against a real server too). */
const uri = inject('mongoUri');
const realMongo = inject('realMongo');
const dbName = `devdb_wire_${process.pid}_${Date.now().toString(36)}`;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32c(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) crc = (CRC_TABLE[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

let socket: net.Socket;
let pending = Buffer.alloc(0);
const waiters: Array<(b: Buffer) => void> = [];
let nextId = 1;

function onData(chunk: Buffer): void {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
    const len = pending.readInt32LE(0);
    const msg = pending.subarray(0, len);
    pending = pending.subarray(len);
    waiters.shift()?.(msg);
  }
}

function nextReply(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no reply')), 5000);
    waiters.push((b) => {
      clearTimeout(t);
      resolve(b);
    });
  });
}

function frame(opCode: number, body: Buffer): { id: number; bytes: Buffer } {
  const id = nextId++;
  const h = Buffer.alloc(16);
  h.writeInt32LE(16 + body.length, 0);
  h.writeInt32LE(id, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return { id, bytes: Buffer.concat([h, body]) };
}

function opMsg(doc: Document, opts: { flags?: number; sequence?: [string, Document[]] } = {}): { id: number; bytes: Buffer } {
  const flags = opts.flags ?? 0;
  const parts: Buffer[] = [Buffer.alloc(4), Buffer.from([0]), Buffer.from(BSON.serialize(doc))];
  parts[0]?.writeUInt32LE(flags, 0);
  if (opts.sequence) {
    const [name, docs] = opts.sequence;
    const payload = Buffer.concat([Buffer.from(`${name}\0`), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  const withChecksum = (flags & 1) !== 0;
  const f = frame(2013, Buffer.concat([...parts, withChecksum ? Buffer.alloc(4) : Buffer.alloc(0)]));
  if (withChecksum) f.bytes.writeUInt32LE(crc32c(f.bytes.subarray(0, f.bytes.length - 4)), f.bytes.length - 4);
  return f;
}

function msgBody(reply: Buffer): Document {
  expect(reply.readInt32LE(12)).toBe(2013);
  expect(reply.readUInt8(20)).toBe(0);
  return BSON.deserialize(reply.subarray(21), { promoteLongs: false, allowObjectSmallerThanBufferSize: true });
}

beforeAll(async () => {
  const { hostname, port } = new URL(uri.replace(/^mongodb:/, 'http:'));
  socket = net.connect({ host: hostname, port: Number(port || 27017) });
  socket.on('data', onData);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
});

afterAll(async () => {
  const drop = opMsg({ dropDatabase: 1, $db: dbName });
  socket.write(drop.bytes);
  await nextReply();
  socket.destroy();
});

describe('wire protocol', () => {
  it('answers the legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const q = Buffer.concat([Buffer.alloc(4), Buffer.from('admin.$cmd\0'), Buffer.alloc(8), Buffer.from(BSON.serialize({ isMaster: 1, helloOk: true }))]);
    q.writeInt32LE(-1, 4 + 'admin.$cmd\0'.length + 4);
    const f = frame(2004, q);
    socket.write(f.bytes);
    const reply = await nextReply();
    expect(reply.readInt32LE(8)).toBe(f.id);
    expect(reply.readInt32LE(12)).toBe(1);
    expect(reply.readInt32LE(32)).toBe(1);
    const doc = BSON.deserialize(reply.subarray(36));
    expect(doc).toMatchObject({ ok: 1, ismaster: true });
    expect(doc.maxWireVersion).toBeGreaterThanOrEqual(8);
    if (!realMongo) expect(doc).not.toHaveProperty('topologyVersion');
  });

  it('accepts OP_MSG with a CRC-32C checksum', async () => {
    const f = opMsg({ ping: 1, $db: 'admin' }, { flags: 1 });
    socket.write(f.bytes);
    const reply = await nextReply();
    expect(reply.readInt32LE(8)).toBe(f.id);
    expect(msgBody(reply).ok).toBe(1);
  });

  it('reads documents from type-1 sections and sends nothing for moreToCome', async () => {
    const ins = opMsg({ insert: 'w', $db: dbName }, { sequence: ['documents', [{ _id: 1 }, { _id: 2 }, { _id: 3 }]] });
    socket.write(ins.bytes);
    expect(msgBody(await nextReply()).n).toBe(3);
    const quiet = opMsg({ insert: 'w', $db: dbName, writeConcern: { w: 0 } }, { flags: 2, sequence: ['documents', [{ _id: 4 }]] });
    socket.write(quiet.bytes);
    const find = opMsg({ find: 'w', filter: {}, sort: { _id: 1 }, batchSize: 2, $db: dbName });
    socket.write(find.bytes);
    const reply = await nextReply();
    expect(reply.readInt32LE(8)).toBe(find.id);
    const body = msgBody(reply) as { cursor: { id: Long; firstBatch: Document[]; ns: string } };
    expect(body.cursor.firstBatch).toEqual([{ _id: 1 }, { _id: 2 }]);
    expect(body.cursor.id).toBeInstanceOf(Long);
    expect(body.cursor.id.isZero()).toBe(false);
    expect(body.cursor.ns).toBe(`${dbName}.w`);
    const more = opMsg({ getMore: body.cursor.id, collection: 'w', $db: dbName });
    socket.write(more.bytes);
    const rest = msgBody(await nextReply()) as { cursor: { id: Long; nextBatch: Document[] } };
    expect(rest.cursor.nextBatch).toEqual([{ _id: 3 }, { _id: 4 }]);
    expect(rest.cursor.id.isZero()).toBe(true);
  });
});
