import { contentHashOf, dedupeKeyFor } from '../domain/dedupe.js';
import { isAppError } from '../domain/errors.js';
import { IngestWriteBuffer } from '../store/ingest-writes.js';
import { relateTickets } from '../store/ticket-links.js';
import { recordEvents } from '../store/ticket-writes.js';
import { loadThreadKeyIndex } from './find-thread.js';
import type { IngestDeps, IngestInput, IngestResult } from './ingest-email.js';
import { attachmentBlobs, attachmentRefs, ingestParsed, mailerReport, type BatchTail, type MailHints, type ParsedInput } from './ingest-message.js';
import { quarantineMail } from './quarantine-mail.js';

type Outcome = PromiseSettledResult<IngestResult>;

const fulfilled = (value: IngestResult): Outcome => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): Outcome => ({ status: 'rejected', reason });

async function parseOne(deps: IngestDeps, input: IngestInput): Promise<ParsedInput | IngestResult> {
  const contentHash = contentHashOf(input.raw);
  try {
    const mail = await deps.parse(input.raw);
    deps.onStep?.('parsed');
    return { ...input, mail, contentHash, dedupeKey: dedupeKeyFor(mail.messageId, contentHash) };
  } catch (err) {
    if (!isAppError(err, 'MAIL_UNPARSEABLE') && !isAppError(err, 'MAIL_TOO_LARGE')) throw err;
    await quarantineMail(deps, { inboxId: input.inboxId, raw: input.raw, contentHash, reason: err.code, detail: err.message, source: input.source });
    return { outcome: 'quarantined', reason: err.code };
  }
}

/** One query each for the batch's stored copies and for our own outbound mails among them. */
async function lookUp(deps: IngestDeps, mails: ParsedInput[]): Promise<MailHints[]> {
  const ids = [...new Set(mails.map((p) => p.mail.messageId).filter((id): id is string => !!id))];
  const [stored, ours] = await Promise.all([
    deps.models.Message.find({ dedupeKey: { $in: mails.map((p) => p.dedupeKey) } }, { ticketId: 1, ingestState: 1, dedupeKey: 1 }).lean(),
    ids.length > 0 ? deps.models.Message.find({ messageId: { $in: ids }, direction: 'outbound' }, { ticketId: 1, messageId: 1 }).lean() : [],
  ]);
  const byKey = new Map(stored.map((m) => [m.dedupeKey!, { _id: m._id, ticketId: m.ticketId, ingestState: m.ingestState }]));
  const echoes = new Map(ours.map((m) => [m.messageId!, m.ticketId]));
  return mails.map((p) => ({ existing: byKey.get(p.dedupeKey) ?? null, echoTicketId: (p.mail.messageId && echoes.get(p.mail.messageId)) || null }));
}

/**
 * Stores the raw sources and attachments of the mails that will surely be stored (new, not our own,
 * not a report that may be quarantined) in one go; as on the single path, they go in before the message.
 */
async function storeSourcesAndAttachments(deps: IngestDeps, mails: ParsedInput[], hints: MailHints[]): Promise<void> {
  const wanted = mails.map((p, i) => ({ p, h: hints[i]! })).filter(({ p, h }) => !h.existing && !h.echoTicketId && !mailerReport(p.mail));
  const blobs = wanted.flatMap(({ p }) => [
    { data: p.raw, filename: `${p.contentHash}.eml`, contentType: 'message/rfc822', key: `raw:${p.dedupeKey}` },
    ...attachmentBlobs(p.mail, p.dedupeKey),
  ]);
  const stored = await deps.blobs.putMany(blobs);
  let at = 0;
  for (const { p, h } of wanted) {
    h.raw = stored[at++];
    h.attachments = attachmentRefs(p.mail, stored.slice(at, at + p.mail.attachments.length));
    at += p.mail.attachments.length;
  }
}

/**
 * Mails another process stored while this batch worked on them (one mail sent to two of our inboxes,
 * handled by two pollers): they are duplicates after all, so their follow-ups, trail and completion
 * marks are dropped, and the winning copy records this inbox too.
 */
async function settleLost(deps: IngestDeps, tail: BatchTail, inputs: IngestInput[], outcomes: Outcome[]): Promise<void> {
  const lost = new Map(tail.writes.lost.map((m) => [m.doc._id.toHexString(), m.doc.dedupeKey]));
  tail.stored = tail.stored.filter((s) => !lost.has(s.messageDocId.toHexString()));
  tail.complete = tail.complete.filter((id) => !lost.has(id.toHexString()));
  tail.related = tail.related.filter((r) => !lost.has(r.messageDocId.toHexString()));
  tail.events = tail.events.filter((e) => ![...lost.keys()].some((id) => e.key?.endsWith(`:${id}`)));
  for (const [at, o] of outcomes.entries()) {
    const dedupeKey = o?.status === 'fulfilled' && o.value.outcome === 'ticketed' ? lost.get(o.value.messageDocId.toHexString()) : undefined;
    if (!dedupeKey) continue;
    const winner = await deps.models.Message.findOneAndUpdate({ dedupeKey }, { $addToSet: { deliveredTo: inputs[at]!.inboxId } }, { returnDocument: 'after', lean: true });
    outcomes[at] = fulfilled({ outcome: 'duplicate', ticketId: winner!.ticketId });
  }
}

/**
 * Ingests mails in the given order with batch-wide look-ups and writes: parse all, one dedupe query,
 * one query for the messages they link to, the raw sources and attachments in one write, each mail
 * through the pipeline, then its messages, the ticket changes, the follow-up work, the trail, the
 * relations to tickets of other inboxes and the completion marks in one write each. A failing mail
 * fails alone; a failed write fails every mail that waited on it. A mail repeated within the batch
 * is handled after it, so it finds the first copy complete.
 */
export async function ingestBatch(deps: IngestDeps, inputs: IngestInput[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(inputs.length);
  const mails: Array<{ at: number; p: ParsedInput }> = [];
  const repeats: number[] = [];
  const keys = new Set<string>();
  // Parsing may run in worker threads (deps.parse): the whole batch is handed over at once, and each
  // result or failure is read in its turn (so none counts as unhandled meanwhile).
  const parsing = inputs.map((input) => parseOne(deps, input));
  parsing.forEach((p) => p.catch(() => undefined));
  for (const [at] of inputs.entries()) {
    try {
      const p = await parsing[at]!;
      if ('outcome' in p) outcomes[at] = fulfilled(p);
      else if (keys.has(p.dedupeKey)) repeats.push(at);
      else {
        keys.add(p.dedupeKey);
        mails.push({ at, p });
      }
    } catch (err) {
      outcomes[at] = rejected(err);
    }
  }

  const parsed = mails.map((m) => m.p);
  const index = await loadThreadKeyIndex(deps.models, parsed.map((p) => p.mail));
  const tail: BatchTail = { writes: new IngestWriteBuffer(deps.models, () => deps.onStep?.('stored')), candidates: new Map(), stored: [], events: [], related: [], complete: [] };
  const pending: number[] = [];
  try {
    const hints = await lookUp(deps, parsed);
    // A lone mail (the usual case while idling) stores its source after its ticket, so the ticket shows sooner.
    if (parsed.length > 1) await storeSourcesAndAttachments(deps, parsed, hints);
    for (const [i, { at, p }] of mails.entries()) {
      const before = tail.complete.length;
      try {
        outcomes[at] = fulfilled(await ingestParsed(deps, p, { ...hints[i]!, index }, tail));
        if (tail.complete.length > before) pending.push(at);
      } catch (err) {
        outcomes[at] = rejected(err);
      }
    }
  } finally {
    index.release();
  }

  try {
    await tail.writes.flush();
    if (tail.writes.lost.length > 0) await settleLost(deps, tail, inputs, outcomes);
    if (tail.stored.length > 0) await deps.afterStore?.(tail.stored);
    await recordEvents(deps.models, tail.events);
    await relateTickets(deps.models, tail.related);
    if (tail.complete.length > 0) await deps.models.Message.updateMany({ _id: { $in: tail.complete } }, { $set: { ingestState: 'complete' } });
    for (const at of pending) {
      const o = outcomes[at];
      if (o?.status === 'fulfilled' && o.value.outcome === 'ticketed') deps.onStep?.('completed');
    }
  } catch (err) {
    for (const at of pending) outcomes[at] = rejected(err);
  }

  if (repeats.length > 0) {
    const again = await ingestBatch(deps, repeats.map((at) => inputs[at]!));
    repeats.forEach((at, i) => (outcomes[at] = again[i]!));
  }
  return outcomes;
}

type Waiting = { input: IngestInput; settle: (o: Outcome) => void };
const waiting = new WeakMap<IngestDeps, Waiting[]>();

/**
 * Queues a mail for the batch of everything handed in with the same deps during this tick; the
 * batch starts once the tick's synchronous work is done. Resolves with that mail's own result.
 */
export function ingestSoon(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  return new Promise<Outcome>((settle) => {
    let queue = waiting.get(deps);
    if (!queue) {
      const batch: Waiting[] = [];
      waiting.set(deps, (queue = batch));
      setImmediate(() => {
        waiting.delete(deps);
        ingestBatch(deps, batch.map((q) => q.input)).then(
          (outcomes) => batch.forEach((q, i) => q.settle(outcomes[i]!)),
          (err: unknown) => batch.forEach((q) => q.settle(rejected(err))),
        );
      });
    }
    queue.push({ input, settle });
  }).then((o) => (o.status === 'fulfilled' ? o.value : Promise.reject(o.reason as Error)));
}
