import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let admin: Actor;
const numbers = new Map<string, number>();

/** Ingests one customer mail a minute after the previous one; returns its ticket's number. */
async function mail(key: string, opts: Parameters<typeof rawMail>[0] | Buffer): Promise<number> {
  fx.clock.now = new Date(fx.clock.now.getTime() + 60_000);
  const raw = Buffer.isBuffer(opts) ? opts : rawMail({ messageId: `${key}@customer.test`, date: fx.clock.now.toUTCString(), ...opts });
  const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
  if (result.outcome !== 'ticketed') throw new Error(`not ticketed: ${result.outcome}`);
  const t = (await fx.models.Ticket.findById(result.ticketId, { number: 1 }).lean())!;
  numbers.set(key, t.number);
  return t.number;
}

/** The numbers a search lists, in order, read page by page (`limit` per page). */
async function search(q: string, extra: Record<string, string> = {}, limit = 50): Promise<number[]> {
  const out: number[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listTickets({ ...fx.stores, now: () => fx.clock.now }, admin, { q, ...extra, limit: String(limit), ...(cursor ? { cursor } : {}) });
    out.push(...page.items.map((t) => t.number));
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}
const n = (key: string) => numbers.get(key)!;

beforeAll(async () => {
  fx = await ingestFixture('search_tickets');
  admin = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
  await mail('printer-subject', { subject: 'Printer jam on floor 2', body: 'Paper stuck again.' });
  await mail('body-502', { subject: 'Site down', body: 'Le serveur renvoie une erreur 502 depuis ce matin.', from: 'Bob Martin <bob@shop.test>' });
  await mail('printer-body', { subject: 'Question', body: 'Is the printer on floor 3 working?' });
  await mail('invoices', { subject: 'Where are my invoices?', body: 'I need the invoices for March.', cc: 'accounting@partner.test' });
  await mail('factures', { subject: 'Factures de mars', body: 'Bonjour, les factures créées hier sont fausses.' });
  await mail('cjk', { subject: '注文が届かない', body: '先週注文した商品がまだ届きません。' });
  await mail('error-apart', { subject: 'Another error', body: 'An error happened, code 502 was shown later.' });
  fx.clock.now = new Date(fx.clock.now.getTime() + 60_000);
  const html = [
    `From: Dora <dora@html.test>`, 'To: support@example.test', 'Subject: Newsletter reply', `Date: ${fx.clock.now.toUTCString()}`,
    'Message-ID: <html-only@customer.test>', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '',
    '<html><body><p>My <b>thermostat</b> shows <i>E7</i>.</p></body></html>', '',
  ].join('\r\n');
  await mail('html-only', Buffer.from(html));
  await mail('printer-subject-2', { subject: 'Printer offline', body: 'Since Monday.' });
});
afterAll(() => fx.db.drop());

describe('full-text search through ingest', () => {
  it('finds words of the body, and of an HTML-only mail’s text', async () => {
    expect(await search('502 ')).toEqual([n('error-apart'), n('body-502')]);
    expect(await search('thermostat ')).toEqual([n('html-only')]);
    expect(await search('E7')).toEqual([n('html-only')]);
  });

  it('stems English and French words, whatever the case and accents', async () => {
    expect(await search('invoice ')).toEqual([n('invoices')]);
    expect(await search('FACTURE ')).toEqual([n('factures')]);
    expect(await search('creee ')).toEqual([n('factures')]);
    expect(await search('serveurs ')).toEqual([n('body-502')]);
  });

  it('finds CJK text by character bigrams', async () => {
    expect(await search('注文')).toEqual([n('cjk')]);
    expect(await search('商品')).toEqual([n('cjk')]);
    expect(await search('届かない')).toEqual([n('cjk')]);
    expect(await search('注商')).toEqual([]);
  });

  it('matches the last word typed as the start of a word', async () => {
    expect(await search('thermo')).toEqual([n('html-only')]);
    expect(await search('thermo ')).toEqual([]);
  });

  it('ranks subject matches first, most recent first, then body matches', async () => {
    expect(await search('printer ')).toEqual([n('printer-subject-2'), n('printer-subject'), n('printer-body')]);
    // The same order page by page, each ticket once, across the two parts.
    expect(await search('printer ', {}, 1)).toEqual([n('printer-subject-2'), n('printer-subject'), n('printer-body')]);
    expect(await search('printer ', {}, 2)).toEqual([n('printer-subject-2'), n('printer-subject'), n('printer-body')]);
    // A chosen order replaces the ranking.
    expect(await search('printer ', { sort: 'created' })).toEqual([n('printer-subject-2'), n('printer-body'), n('printer-subject')]);
  });

  it('keeps an exact phrase and drops -words and -"phrases"', async () => {
    expect(await search('"erreur 502"')).toEqual([n('body-502')]);
    expect(await search('502 -serveur')).toEqual([n('error-apart')]);
    expect(await search('502 -"code 502"')).toEqual([n('body-502')]);
    expect(await search('"error happened"', {}, 1)).toEqual([n('error-apart')]);
  });

  it('reads from:, to:, tag:, status: and team:', async () => {
    expect(await search('from:bob@shop')).toEqual([n('body-502')]);
    expect(await search('from:shop.test 502')).toEqual([n('body-502')]);
    expect(await search('to:accounting@partner.test')).toEqual([n('invoices')]);
    await fx.models.Ticket.updateOne({ number: n('factures') }, { $set: { tags: ['billing'], status: 'open' } });
    expect(await search('tag:billing')).toEqual([n('factures')]);
    expect(await search('status:ouvert')).toEqual([n('factures')]);
    expect(await search('printer -status:new')).toEqual([]);
    const team = await fx.models.Team.create({ name: 'Niveau 2 — Matériel', level: 'L2', inboxIds: [fx.inbox._id] });
    await fx.models.Ticket.updateOne({ number: n('printer-body') }, { $set: { teamId: team._id } });
    expect(await search('team:niveau printer')).toEqual([n('printer-body')]);
    expect(await search('team:nobody printer')).toEqual([]);
  });

  it('combines with the list filters', async () => {
    expect(await search('facture', { status: 'open' })).toEqual([n('factures')]);
    expect(await search('facture', { status: 'new' })).toEqual([]);
    expect(await search('status:open', { status: 'new' })).toEqual([]);
  });

  it('finds internal notes and agents’ replies, not automatic mail', async () => {
    const t = (await fx.models.Ticket.findOne({ number: n('printer-body') }).lean())!;
    await fx.stores.tickets.addNote({ ticketId: t._id, inboxId: t.inboxId, text: 'Toner cartridge ordered from Lyreco.', authorId: null, at: fx.clock.now });
    expect(await search('lyreco')).toEqual([n('printer-body')]);
    const outbound = (text: string, autoSubmitted: boolean) => ({
      ticketId: t._id, inboxId: t.inboxId, direction: 'outbound' as const, messageId: `<${Math.random().toString(36).slice(2)}@threadline.test>`, inReplyTo: null, references: [], threadKeys: [],
      subject: 'Re: Question', from: { address: 'support@example.test', name: 'Support' }, to: [{ address: 'ann@customer.test', name: '' }], cc: [],
      date: fx.clock.now, text, html: null, authorId: null, delivery: { state: 'pending' as const, at: fx.clock.now }, flags: { autoSubmitted, bounce: false },
    });
    await fx.stores.messages.addOutboundOnce(outbound('Please try the firmware update 4.2.', false));
    await fx.stores.messages.addOutboundOnce(outbound('We received your request and will answer soon.', true));
    expect(await search('firmware')).toEqual([n('printer-body')]);
    expect(await search('received request soon')).toEqual([]);
  });

  it('merging a ticket makes its words find the ticket it went into', async () => {
    const [into, from] = await Promise.all([fx.models.Ticket.findOne({ number: n('printer-subject') }).lean(), fx.models.Ticket.findOne({ number: n('html-only') }).lean()]);
    await fx.stores.tickets.merge({ intoId: into!._id, fromId: from!._id, at: fx.clock.now, reason: 'test' });
    expect(await search('thermostat')).toEqual([n('printer-subject')]);
  });

  it('refuses a search of common words only with a clear issue', async () => {
    await expect(listTickets({ ...fx.stores, now: () => fx.clock.now }, admin, { q: 'the of' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [expect.objectContaining({ path: 'q', key: 'errors:issue.searchCommonWordsOnly' })] },
    });
  });
});
