import { contentHashOf, dedupeKeyFor } from '../../domain/dedupe.js';
import { isAppError } from '../../domain/errors.js';
import { followUpsByTicket } from '../../domain/ingest-plan.js';
import type { IngestWriteBuffer } from '../../store/ingest-writes.js';
import type { CandidateCache } from './find-thread.js';
import { lookUpBatch, type ClassifiedMail, type ParsedInput } from './ingest-look-up.js';
import { ingestMail, type MailBatch, type MailOutcome } from './ingest-mail.js';
import type { BatchOutcome, IngestDeps, IngestInput, IngestResult } from './ingest-ports.js';
import { quarantineMail } from './quarantine-mail.js';

const fulfilled = (value: IngestResult): BatchOutcome => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): BatchOutcome => ({ status: 'rejected', reason });

/** A mail of the batch by its position in the input. */
interface Numbered<T> {
  at: number;
  item: T;
}

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

/**
 * Parses the whole batch at once (parsing may run in worker threads) and reads each result in its
 * turn. Broken mail is quarantined. A mail repeated within the batch is set aside for a batch of its
 * own after this one, so it finds the first copy complete.
 */
async function parseAll(deps: IngestDeps, inputs: IngestInput[], outcomes: BatchOutcome[]) {
  const parsed: Array<Numbered<ParsedInput>> = [];
  const repeats: number[] = [];
  const keys = new Set<string>();
  const parsing = inputs.map((input) => parseOne(deps, input));
  parsing.forEach((p) => p.catch(() => undefined)); // each is awaited in its turn below
  for (const [at] of inputs.entries()) {
    try {
      const p = await parsing[at]!;
      if ('outcome' in p) outcomes[at] = fulfilled(p);
      else if (keys.has(p.dedupeKey)) repeats.push(at);
      else {
        keys.add(p.dedupeKey);
        parsed.push({ at, item: p });
      }
    } catch (err) {
      outcomes[at] = rejected(err);
    }
  }
  return { parsed, repeats };
}

/**
 * Ingests received mails, in the order given, as one batch (a poller hands over each fetched batch,
 * in UID order):
 *
 * 1. parse all; quarantine what cannot be read;
 * 2. look up, once for all: stored copies, our own outbound copies, the tickets of their thread keys;
 *    classify each mail (src/domain/ingest-classify.ts); store the raw sources together;
 * 3. each mail in turn: thread it and plan what it changes (src/services/ingest-mail.ts), its writes
 *    queued in the batch's write buffer, which shows threading the tickets as they will be;
 * 4. apply the plans: delivery notes, then messages, then their ticket changes, one write each;
 * 5. the follow-up work (SLA clocks, acknowledgements), once per ticket;
 * 6. trail, relations, bouncing recipients, and last the completion marks.
 *
 * A failing mail fails alone; a failed write fails every mail that waited on it. A crash anywhere
 * leaves mails `stored` or not stored at all, and the next run of the same mails converges.
 */
export async function ingestBatch(deps: IngestDeps, inputs: IngestInput[]): Promise<BatchOutcome[]> {
  const outcomes = new Array<BatchOutcome>(inputs.length);
  const { parsed, repeats } = await parseAll(deps, inputs, outcomes);
  if (parsed.length > 0) await ingestParsed(deps, parsed, outcomes);
  if (repeats.length > 0) {
    const again = await ingestBatch(deps, repeats.map((at) => inputs[at]!));
    repeats.forEach((at, i) => (outcomes[at] = again[i]!));
  }
  return outcomes;
}

async function ingestParsed(deps: IngestDeps, parsed: Array<Numbered<ParsedInput>>, outcomes: BatchOutcome[]): Promise<void> {
  const [lookedUp, ownRead] = await Promise.allSettled([lookUpBatch(deps, parsed.map((p) => p.item)), deps.ownAddresses()]);
  if (lookedUp.status === 'rejected' || ownRead.status === 'rejected') {
    if (lookedUp.status === 'fulfilled') lookedUp.value.index.release();
    const err = lookedUp.status === 'rejected' ? lookedUp.reason : (ownRead as PromiseRejectedResult).reason;
    for (const { at } of parsed) outcomes[at] = rejected(err);
    return;
  }
  const lookUp = lookedUp.value;
  const own = ownRead.value;
  const writes = deps.startWrites(() => deps.onStep?.('stored'));
  const candidates: CandidateCache = new Map();
  const batch: MailBatch = {
    index: lookUp.index,
    candidates,
    writes,
    own,
    seen: (ticket) => writes.view(ticket),
    async settle() {
      await writes.flush();
      candidates.clear();
    },
  };
  const waiting: Array<Numbered<{ mail: ClassifiedMail; outcome: MailOutcome }>> = [];
  try {
    for (const [i, mail] of lookUp.mails.entries()) {
      const at = parsed[i]!.at;
      try {
        const outcome = await ingestMail(deps, batch, mail);
        outcomes[at] = fulfilled(outcome.result);
        if (outcome.waits !== 'nothing') waiting.push({ at, item: { mail, outcome } });
      } catch (err) {
        outcomes[at] = rejected(err);
      }
    }
  } finally {
    lookUp.index.release();
  }
  await applyWrites(deps, writes, waiting, outcomes);
}

/** Applies the batch's queued writes in their order, then settles the outcomes of the mails that waited on them. */
async function applyWrites(deps: IngestDeps, writes: IngestWriteBuffer, waiting: Array<Numbered<{ mail: ClassifiedMail; outcome: MailOutcome }>>, outcomes: BatchOutcome[]): Promise<void> {
  try {
    await writes.writeDeliveries();
  } catch (err) {
    for (const { at } of waiting) outcomes[at] = rejected(err);
    return;
  }
  const pending = waiting.filter((w) => w.item.outcome.waits === 'writes');
  if (pending.length === 0) return;
  try {
    await writes.flush();
    const live = [];
    for (const w of pending) {
      const { messageDocId } = w.item.outcome;
      if (messageDocId && writes.isLost(messageDocId)) outcomes[w.at] = fulfilled(await deliveredToWinner(deps, w.item.mail));
      else live.push(w);
    }
    const followUps = followUpsByTicket(live.flatMap((w) => (w.item.outcome.followUp ? [w.item.outcome.followUp] : [])));
    if (followUps.length > 0) await deps.followUp?.(followUps);
    await writes.finish();
    for (let i = 0; i < live.length; i++) deps.onStep?.('completed');
  } catch (err) {
    for (const { at } of pending) outcomes[at] = rejected(err);
  }
}

/**
 * A mail another process stored while this batch worked on it (one mail sent to two of our inboxes,
 * handled by two pollers) is a duplicate after all: the stored copy records this inbox too.
 */
async function deliveredToWinner(deps: IngestDeps, mail: ClassifiedMail): Promise<IngestResult> {
  const winner = await deps.messages.addDeliveryByDedupeKey(mail.dedupeKey, mail.inboxId);
  return { outcome: 'duplicate', ticketId: winner!.ticketId };
}
