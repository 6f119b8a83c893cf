import { afterAll, describe, expect, it } from 'vitest';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { mergeRootOf } from '../../../../src/store/ticket-writes.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { readFixture } from '../../../helpers/mail-fixtures.js';

// Jane asks about an invoice (a) and, two days later, about the VPN (b); her colleagues answer with
// clients that name her address in In-Reply-To prose. See test/fixtures/hostile/README.md.
const PREFIX = 'hostile/in-reply-to-prose-address-merges-customers';
const INVOICE = ['a1-question', 'a2-nmh-reply', 'a3-eudora-reply'].map((f) => `${PREFIX}-${f}.eml`);
const VPN = ['b1-question', 'b2-mutt-reply', 'b3-gnus-reply'].map((f) => `${PREFIX}-${f}.eml`);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** Ingests the fixtures one by one in this order; returns each fixture's ticket (after merges) and the database. */
async function ingestInOrder(files: string[]) {
  const fx = await ingestFixture('prose_irt');
  cleanups.push(() => fx.db.drop());
  for (const file of files) {
    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: readFixture(file), source: null });
    expect(result.outcome, file).toBe('ticketed');
  }
  const ticketOf = new Map<string, string>();
  for (const m of await fx.models.Message.find({}, { messageId: 1, ticketId: 1 }).lean()) {
    ticketOf.set(m.messageId!, (await mergeRootOf(fx.models, m.ticketId)).toHexString());
  }
  const byFile = (file: string) => {
    const id = /^Message-ID: <([^>]+)>/m.exec(readFixture(file).toString('latin1'))![1]!;
    return ticketOf.get(id);
  };
  return { fx, invoice: INVOICE.map(byFile), vpn: VPN.map(byFile) };
}

describe('threading never links through an email address (In-Reply-To prose merged customers)', () => {
  it('keeps two conversations answered with prose naming jane@example.org as two tickets', async () => {
    const { fx, invoice, vpn } = await ingestInOrder([INVOICE[0]!, VPN[0]!, INVOICE[1]!, VPN[1]!, INVOICE[2]!, VPN[2]!]);
    expect(new Set(invoice).size).toBe(1);
    expect(new Set(vpn).size).toBe(1);
    expect(invoice[0]).not.toEqual(vpn[0]);
    expect(await fx.models.Ticket.countDocuments({ mergedIntoId: null })).toBe(2);
    expect(await fx.models.Message.countDocuments({ threadKeys: { $in: ['jane@example.org', "jane@example.org's"] } })).toBe(0);
  });

  it('keeps them apart when the replies arrive before the questions', async () => {
    const { fx, invoice, vpn } = await ingestInOrder([VPN[2]!, INVOICE[2]!, INVOICE[1]!, VPN[1]!, VPN[0]!, INVOICE[0]!]);
    expect(new Set(invoice).size).toBe(1);
    expect(new Set(vpn).size).toBe(1);
    expect(invoice[0]).not.toEqual(vpn[0]);
    expect(await fx.models.Ticket.countDocuments({ mergedIntoId: null })).toBe(2);
  });
});
