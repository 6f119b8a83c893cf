import { BSON, Long } from 'bson';
import { canonicalize, type Doc } from './values.js';

/** Wire protocol opcodes devdb speaks. */
export const OpCode = { REPLY: 1, QUERY: 2004, COMPRESSED: 2012, MSG: 2013 } as const;

/** Largest message accepted (MongoDB's maxMessageSizeBytes). */
export const MAX_MESSAGE_BYTES = 48_000_000;

const CHECKSUM_PRESENT = 1;
const MORE_TO_COME = 2;

/** A decoded client request. */
export interface Request {
  requestId: number;
  opCode: number;
  /** The command document, with OP_MSG document sequences merged in as arrays. */
  body: Doc;
  /** The client expects no reply (OP_MSG moreToCome). */
  moreToCome: boolean;
  /** Database named by a legacy OP_QUERY namespace (`db.$cmd`). */
  legacyDb?: string;
}

/** Raised for frames that cannot be decoded; the connection is then closed. */
export class ProtocolError extends Error {}

const DESERIALIZE = { promoteValues: false } as const;

function readDoc(buf: Buffer, offset: number): { doc: Doc; end: number } {
  if (offset + 4 > buf.length) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > buf.length) throw new ProtocolError('invalid BSON document size');
  const doc = canonicalize(BSON.deserialize(buf.subarray(offset, offset + size), DESERIALIZE)) as Doc;
  return { doc, end: offset + size };
}

function readCString(buf: Buffer, offset: number): { value: string; end: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0) throw new ProtocolError('unterminated cstring');
  return { value: buf.toString('utf8', offset, zero), end: zero + 1 };
}

/** Decodes one complete message (header included). */
export function decodeMessage(msg: Buffer): Request {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OpCode.MSG) {
    const flags = msg.readUInt32LE(16);
    if ((flags & 0xfffc) !== 0) throw new ProtocolError(`unsupported OP_MSG flag bits ${flags}`);
    const end = flags & CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
    let body: Doc | undefined;
    const sequences: Array<[string, Doc[]]> = [];
    let off = 20;
    while (off < end) {
      const kind = msg.readUInt8(off++);
      if (kind === 0) {
        const r = readDoc(msg, off);
        body = r.doc;
        off = r.end;
      } else if (kind === 1) {
        const size = msg.readInt32LE(off);
        const secEnd = off + size;
        const id = readCString(msg, off + 4);
        const docs: Doc[] = [];
        let p = id.end;
        while (p < secEnd) {
          const r = readDoc(msg, p);
          docs.push(r.doc);
          p = r.end;
        }
        sequences.push([id.value, docs]);
        off = secEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without a body section');
    for (const [id, docs] of sequences) body[id] = docs;
    return { requestId, opCode, body, moreToCome: (flags & MORE_TO_COME) !== 0 };
  }
  if (opCode === OpCode.QUERY) {
    const ns = readCString(msg, 20);
    let { doc } = readDoc(msg, ns.end + 8);
    if (doc.$query !== undefined && typeof doc.$query === 'object') doc = doc.$query as Doc;
    const dot = ns.value.indexOf('.');
    const legacyDb = dot < 0 ? ns.value : ns.value.slice(0, dot);
    if (!ns.value.endsWith('.$cmd')) throw new ProtocolError(`legacy OP_QUERY on ${ns.value} is not supported`);
    return { requestId, opCode, body: doc, moreToCome: false, legacyDb };
  }
  throw new ProtocolError(`unsupported opcode ${opCode}`);
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

const SERIALIZE = { ignoreUndefined: true } as const;

/** Encodes an OP_MSG reply with a single body section. */
export function encodeMsgReply(responseTo: number, doc: Doc): Buffer {
  const body = BSON.serialize(doc, SERIALIZE);
  const length = 16 + 4 + 1 + body.length;
  const pre = Buffer.alloc(5);
  return Buffer.concat([header(length, responseTo, OpCode.MSG), pre, body], length);
}

/** Encodes a legacy OP_REPLY (answer to an OP_QUERY command). */
export function encodeLegacyReply(responseTo: number, doc: Doc): Buffer {
  const body = BSON.serialize(doc, SERIALIZE);
  const length = 16 + 20 + body.length;
  const pre = Buffer.alloc(20);
  pre.writeInt32LE(8, 0); // AwaitCapable
  pre.writeBigInt64LE(Long.ZERO.toBigInt(), 4);
  pre.writeInt32LE(0, 12);
  pre.writeInt32LE(1, 16);
  return Buffer.concat([header(length, responseTo, OpCode.REPLY), pre, body], length);
}

/** Splits a byte stream into complete messages. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds received bytes; returns the complete messages now available. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      if ((this.chunks[0] as Buffer).length < 4) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      const len = (this.chunks[0] as Buffer).readInt32LE(0);
      if (len < 16 || len > MAX_MESSAGE_BYTES) throw new ProtocolError(`invalid message length ${len}`);
      if (this.buffered < len) break;
      if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      const buf = this.chunks[0] as Buffer;
      out.push(buf.subarray(0, len));
      const rest = buf.subarray(len);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }
}
