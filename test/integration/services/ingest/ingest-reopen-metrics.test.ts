import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail, type IngestResult } from '../../../../src/services/ingest/ingest-email.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';

// Issue 20: reopens are counted on the ticket when a customer's mail reopens it; closing a solved
// ticket (auto-close) keeps its resolution.
let fx: Awaited<ReturnType<typeof ingestFixture>>;

beforeAll(async () => {
  fx = await ingestFixture('ingest_reopen_metrics');
});
afterAll(() => fx.db.drop());

const ingest = (raw: Buffer) => ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
const ticketOf = (r: IngestResult) => {
  if (!('ticketId' in r)) throw new Error(`expected a ticket, got ${JSON.stringify(r)}`);
  return r.ticketId;
};
const stored = async (id: unknown) => (await fx.models.Ticket.findById(id).lean())!;

describe('metrics of a customer reopening a ticket', () => {
  it('counts each reopen by mail, and not an out-of-office answer', async () => {
    const id = ticketOf(await ingest(rawMail({ messageId: 'm1@c.test', subject: 'Printer' })));
    const solvedAt = new Date('2026-11-21T10:00:00Z');
    await fx.stores.tickets.write(id, { changes: { status: 'solved', solvedAt, closedAt: null } });
    expect((await stored(id)).metrics).toMatchObject({ lastSolvedAt: solvedAt });
    expect((await stored(id)).metrics?.reopenCount).toBeUndefined();

    await ingest(rawMail({ messageId: 'm2@c.test', inReplyTo: 'm1@c.test', subject: 'Re: Printer' }));
    expect(await stored(id)).toMatchObject({ status: 'open', metrics: { reopenCount: 1, lastSolvedAt: solvedAt } });

    await fx.stores.tickets.write(id, { changes: { status: 'solved', solvedAt: new Date('2026-11-21T12:00:00Z'), closedAt: null } });
    await ingest(rawMail({ messageId: 'm3@c.test', inReplyTo: 'm2@c.test', subject: 'Auto: Re: Printer', headers: ['Auto-Submitted: auto-replied'] }));
    expect(await stored(id)).toMatchObject({ status: 'solved', metrics: { reopenCount: 1 } });
    await ingest(rawMail({ messageId: 'm4@c.test', inReplyTo: 'm2@c.test', subject: 'Re: Printer' }));
    expect(await stored(id)).toMatchObject({ status: 'open', metrics: { reopenCount: 2, lastSolvedAt: new Date('2026-11-21T12:00:00Z') } });
  });

  it('keeps the resolution when a solved ticket is closed automatically', async () => {
    const id = ticketOf(await ingest(rawMail({ messageId: 'c1@c.test', subject: 'Invoice' })));
    const created = (await stored(id)).createdAt;
    const solvedAt = new Date(created.getTime() + 7200_000);
    await fx.stores.tickets.write(id, { changes: { status: 'solved', solvedAt, closedAt: null } });
    const closed = await fx.stores.tickets.closeIfStillSolved(id, solvedAt, new Date(solvedAt.getTime() + 4 * 86_400_000), { ticketId: id, type: 'status_changed', actor: { kind: 'system' }, at: solvedAt, data: { from: 'solved', to: 'closed' } });
    expect(closed).toBe(true);
    expect(await stored(id)).toMatchObject({ status: 'closed', metrics: { lastSolvedAt: solvedAt, resolutionSeconds: 7200, resolutionBusinessSeconds: 7200 } });
  });
});
