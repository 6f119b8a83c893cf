import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Types } from 'mongoose';
import { ZipFile } from 'yazl';
import { emlNamer, PERSON_JSON_FORMAT } from '../../domain/personal-data-export.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { MessageDoc } from '../../store/models/message.js';
import type { PersonDataStore } from '../../store/person-data-store.js';

/** A stored message to write out as a `.eml` when its original mail is not kept. */
export interface StoredMail {
  from: { address: string; name?: string | null } | null;
  to: Array<{ address: string; name?: string | null }>;
  cc: Array<{ address: string; name?: string | null }>;
  replyTo: Array<{ address: string; name?: string | null }>;
  subject: string | null;
  text: string | null;
  html: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  date: Date;
  attachments: Array<{ filename: string | null; contentType: string; content: Buffer; contentId: string | null }>;
}

/** Rebuilds a stored message as RFC 5322 bytes, refusing nothing (src/mail/compose-stored-mail.ts). */
export type ComposeStoredMail = (mail: StoredMail) => Promise<Buffer>;

/** What writing the archive reads: the person's messages, the files in GridFS, the composer. */
export interface ArchiveDeps {
  personData: Pick<PersonDataStore, 'listMessages'>;
  blobs: Pick<BlobStore, 'open' | 'read'>;
  composeStoredMail: ComposeStoredMail;
}

/** What goes into the archive: `person.json`'s other parts, and which messages to read. */
export interface ArchiveInput {
  /** Everything `person.json` holds but the messages (person, tickets, ratings, trail), in that order. */
  sections: Record<string, unknown>;
  ticketIds: Types.ObjectId[];
  addresses: string[];
  /** A ticket's number by its id (hex). */
  ticketNumbers: ReadonlyMap<string, number>;
  generatedAt: Date;
}

/** The archive being written: its bytes, and how it ended (the count of `.eml` files, or why it failed). */
export interface ArchiveWriting {
  stream: Readable;
  done: Promise<{ messages: number }>;
  /** Stops writing (the bytes are no longer wanted): `done` rejects with the error. */
  abort(err: Error): void;
}

const addressOf = (a: { address: string; name?: string | null } | null | undefined) => (a ? { address: a.address, name: a.name ?? null } : null);

/** What `person.json` says of one message: its metadata and text, its attachments listed (their bytes are in the `.eml`). */
function messageEntry(m: MessageDoc, ticketNumber: number, eml: string) {
  return {
    id: m._id.toHexString(),
    ticketId: m.ticketId.toHexString(),
    ticketNumber,
    direction: m.direction,
    messageId: m.messageId ?? null,
    date: m.date ?? m.createdAt,
    receivedAt: m.createdAt,
    subject: m.subject ?? null,
    from: addressOf(m.from),
    to: m.to.map(addressOf),
    cc: m.cc.map(addressOf),
    replyTo: m.replyTo.map(addressOf),
    text: m.text ?? null,
    attachments: m.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size, sha256: a.sha256, inline: a.inline })),
    eml,
  };
}

const numberOf = (input: ArchiveInput, m: MessageDoc) => input.ticketNumbers.get(m.ticketId.toHexString()) ?? 0;

/** `person.json`, written piece by piece: a person's messages may not fit in memory, each one does. */
async function* personJson(deps: ArchiveDeps, input: ArchiveInput): AsyncGenerator<string> {
  const head = JSON.stringify({ format: PERSON_JSON_FORMAT, generatedAt: input.generatedAt, ...input.sections }, null, 2);
  yield `${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "messages": [`;
  const name = emlNamer();
  let first = true;
  for await (const m of deps.personData.listMessages(input.ticketIds, input.addresses)) {
    const n = numberOf(input, m);
    yield `${first ? '' : ','}\n    ${JSON.stringify(messageEntry(m, n, name(n)))}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}

/** Resolves with the stream once it has data, or null when its file is missing from GridFS. */
function opened(stream: Readable): Promise<Readable | null> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      stream.off('error', onError);
      resolve(stream);
    };
    const onError = (err: Error & { code?: string }) => {
      stream.off('readable', onReadable);
      stream.destroy();
      if (err.code === 'ENOENT') resolve(null);
      else reject(err);
    };
    stream.once('readable', onReadable);
    stream.once('error', onError);
  });
}

/** A file's bytes, or null when it is missing from GridFS. */
async function readOrNull(deps: ArchiveDeps, id: Types.ObjectId): Promise<Buffer | null> {
  try {
    return await deps.blobs.read(id);
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** A message's `.eml`: the mail as it was received or sent when kept, else rebuilt from what was stored (attachments included). */
async function emlOf(deps: ArchiveDeps, m: MessageDoc): Promise<Readable> {
  if (m.raw?.fileId) {
    const raw = await opened(deps.blobs.open(m.raw.fileId));
    if (raw) return raw;
  }
  const attachments: StoredMail['attachments'] = [];
  for (const a of m.attachments) {
    const content = await readOrNull(deps, a.fileId);
    if (content) attachments.push({ filename: a.filename ?? null, contentType: a.contentType, content, contentId: a.contentId ?? null });
  }
  const bytes = await deps.composeStoredMail({
    from: m.from ?? null,
    to: m.to,
    cc: m.cc,
    replyTo: m.replyTo,
    subject: m.subject ?? null,
    text: m.text ?? null,
    html: m.html ?? null,
    messageId: m.messageId ?? null,
    inReplyTo: m.inReplyTo ?? null,
    references: m.references,
    date: m.date ?? m.createdAt,
    attachments,
  });
  return Readable.from([bytes], { objectMode: false });
}

/**
 * Writes the export's zip: `person.json`, then `messages/<ticket number>-<n>.eml` for each message,
 * one entry at a time (the next is read once the previous is written), so memory holds at most one
 * message and its attachments however much the person wrote. The caller consumes `stream`.
 */
export function writeArchive(deps: ArchiveDeps, input: ArchiveInput): ArchiveWriting {
  const zip = new ZipFile();
  const output = new PassThrough();
  zip.outputStream.on('error', (err: Error) => output.destroy(err));
  zip.outputStream.pipe(output);
  let current: Readable | null = null;
  let aborted: Error | null = null;
  const add = async (entry: Readable, path: string, mtime: Date) => {
    if (aborted) throw aborted;
    current = entry;
    zip.addReadStream(entry, path, { mtime });
    await finished(entry);
    current = null;
  };
  const done = (async () => {
    await add(Readable.from(personJson(deps, input), { objectMode: false }), 'person.json', input.generatedAt);
    const name = emlNamer();
    let messages = 0;
    for await (const m of deps.personData.listMessages(input.ticketIds, input.addresses)) {
      await add(await emlOf(deps, m), name(numberOf(input, m)), m.date ?? m.createdAt);
      messages++;
    }
    zip.end();
    return { messages };
  })();
  done.catch((err: Error) => output.destroy(err));
  return {
    stream: output,
    done,
    abort(err) {
      aborted = err;
      (current as Readable | null)?.destroy(err);
      output.destroy(err);
    },
  };
}
