import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { listAccessLog } from '../../../../src/services/access-log/list-access-log.js';
import { ACCESS_LOG_PURGE_DAILY, ACCESS_LOG_PURGE_JOB, purgeAccessLog } from '../../../../src/services/access-log/purge-access-log.js';
import { getTicketWithRecipients } from '../../../../src/services/tickets/get-ticket.js';
import { loadTicketPage } from '../../../../src/services/tickets/ticket-page-data.js';
import { openAttachment } from '../../../../src/services/tickets/open-attachment.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { createBlobStore } from '../../../../src/store/blob-store.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let blobs: ReturnType<typeof createBlobStore>;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const adminId = new Types.ObjectId();
const agentId = new Types.ObjectId();
const admin: Actor = { userId: adminId, role: 'admin', inboxIds: [] };
const agent: Actor = { userId: agentId, role: 'agent', inboxIds: [inboxA] };
const manager: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [inboxA, inboxB] };
const clock = new Date('2026-03-02T10:00:00Z');
const now = () => clock;
let ticketA: Types.ObjectId;
let ticketB: Types.ObjectId;
let fileId: Types.ObjectId;
let messageId: Types.ObjectId;
const UTC = { timeZone: 'UTC' };

const entries = () => db.models.AccessLog.find({}).sort({ at: 1, _id: 1 }).lean();

beforeAll(async () => {
  db = await openTestDb('access_log');
  blobs = createBlobStore(db.connection.db!);
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await db.models.Inbox.create([
    { _id: inboxA, name: 'Support', address: 'support@example.test', ...account },
    { _id: inboxB, name: 'Billing', address: 'billing@example.test', ...account },
  ]);
  await db.models.User.create([
    { _id: adminId, email: 'ada@example.test', name: 'Ada', role: 'admin', passwordHash: 'x' },
    { _id: agentId, email: 'gina@example.test', name: null, role: 'agent', inboxIds: [inboxA], passwordHash: 'x' },
  ]);
  ticketA = (await db.models.Ticket.create({ number: 7, inboxId: inboxA, subject: 'Invoice for Zoë', requester: { email: 'zoe@example.org', name: 'Zoë' }, status: 'open' }))._id;
  ticketB = (await db.models.Ticket.create({ number: 8, inboxId: inboxB, subject: 'Other', requester: { email: 'olaf@example.org', name: 'Olaf' }, status: 'open' }))._id;
  fileId = (await blobs.put(Buffer.from('%PDF-1.4 bytes'), { filename: 'x', contentType: 'application/pdf' })).id as unknown as Types.ObjectId;
  const other = (await blobs.put(Buffer.from('other'), { filename: 'y', contentType: 'text/plain' })).id as unknown as Types.ObjectId;
  messageId = new Types.ObjectId();
  await db.models.Message.create({
    _id: messageId, ticketId: ticketA, inboxId: inboxA, direction: 'inbound', from: { address: 'zoe@example.org', name: 'Zoë' }, to: [{ address: 'support@example.test' }], subject: 'Invoice for Zoë',
    attachments: [
      { fileId: other, filename: 'first.txt', contentType: 'text/plain', size: 5, sha256: 'x', inline: false },
      { fileId, filename: 'Zoë-passport.pdf', contentType: 'application/pdf', size: 14, sha256: 'x', inline: false },
    ],
  });
});
afterAll(() => db.drop());
beforeEach(() => db.models.AccessLog.deleteMany({}));

describe('recording accesses in the use cases', () => {
  it('records a ticket opened through the API use case, once, with who, what and when', async () => {
    await getTicketWithRecipients({ ...db.stores, now }, agent, ticketA.toHexString());
    expect(await entries()).toEqual([
      { _id: expect.any(Types.ObjectId), at: clock, userId: agentId, action: 'ticket_viewed', ticketId: ticketA, inboxId: inboxA, contactId: null, detail: null },
    ]);
  });

  it('records a ticket opened through the ticket page', async () => {
    await loadTicketPage({ ...db.stores, now }, agent, ticketA.toHexString(), { cannedId: null, presence: 'viewing' });
    expect((await entries()).map((e) => [e.action, e.userId?.toHexString(), e.ticketId?.toHexString()])).toEqual([['ticket_viewed', agentId.toHexString(), ticketA.toHexString()]]);
  });

  it('records nothing for a ticket the actor may not see, nor for a list', async () => {
    await appErrorFrom(getTicketWithRecipients({ ...db.stores, now }, agent, ticketB.toHexString()));
    await listTickets({ ...db.stores, now }, agent, {});
    expect(await entries()).toEqual([]);
  });

  it('records an attachment download by message and position, never by its filename', async () => {
    const file = await openAttachment({ ...db.stores, blobs, now }, agent, fileId.toHexString());
    file.stream.destroy();
    const [entry, ...rest] = await entries();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ action: 'attachment_downloaded', userId: agentId, ticketId: ticketA, detail: `messageId=${messageId.toHexString()} attachment=1`, at: clock });
    expect(JSON.stringify(entry)).not.toMatch(/passport|Zo/);
  });

  it('records no download the actor was refused', async () => {
    const outsider: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [inboxB] };
    expect((await appErrorFrom(openAttachment({ ...db.stores, blobs, now }, outsider, fileId.toHexString()))).code).toBe('NOT_FOUND');
    expect(await entries()).toEqual([]);
  });

  it('fails the request rather than losing an access silently', async () => {
    const failing = { ...db.stores, accessLog: { record: async () => Promise.reject(new Error('disk full')) } };
    await expect(getTicketWithRecipients({ ...failing, now }, agent, ticketA.toHexString())).rejects.toThrow('disk full');
    await expect(openAttachment({ ...failing, blobs, now }, agent, fileId.toHexString())).rejects.toThrow('disk full');
  });
});

describe('the access log store', () => {
  it('takes ids of any ObjectId-like kind and cuts a long detail', async () => {
    const hexId = { toHexString: () => ticketA.toHexString() };
    await db.stores.accessLog.record({ at: clock, userId: null, action: 'retention_applied', inboxId: inboxA, ticketId: hexId, detail: 'x'.repeat(2000) });
    const [entry] = await entries();
    expect(entry!.ticketId).toEqual(ticketA);
    expect(entry!.userId).toBeNull();
    expect(entry!.detail).toHaveLength(500);
  });

  it('refuses an action it does not know', async () => {
    await expect(db.stores.accessLog.record({ at: clock, userId: null, action: 'ticket_deleted' as never })).rejects.toThrow();
    expect(await entries()).toEqual([]);
  });

  it('answers the page’s queries through its indexes', async () => {
    for (let i = 0; i < 30; i++) {
      await db.stores.accessLog.record({ at: new Date(clock.getTime() - i * 60_000), userId: i % 2 ? agentId : adminId, action: 'ticket_viewed', ticketId: i % 3 ? ticketA : ticketB });
    }
    const coll = db.connection.db!.collection('access_log');
    const shapes: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /at_-1__id_-1/],
      [{ ticketId: ticketB }, /ticketId_1_at_-1__id_-1/],
      [{ userId: agentId }, /userId_1_at_-1__id_-1/],
    ];
    for (const [filter, index] of shapes) {
      const explained = await coll.find(filter, { sort: { at: -1, _id: -1 }, limit: 5 }).explain('executionStats');
      const plan = JSON.stringify(explained.queryPlanner.winningPlan);
      expect(plan).toContain('IXSCAN');
      expect(plan).toMatch(index);
    }
  });
});

describe('listAccessLog', () => {
  beforeEach(async () => {
    const at = (minutes: number) => new Date(clock.getTime() - minutes * 60_000);
    await db.stores.accessLog.record({ at: at(0), userId: agentId, action: 'attachment_downloaded', ticketId: ticketA, detail: 'messageId=x attachment=0' });
    await db.stores.accessLog.record({ at: at(1), userId: adminId, action: 'ticket_viewed', ticketId: ticketB, inboxId: inboxB });
    await db.stores.accessLog.record({ at: at(2), userId: agentId, action: 'ticket_viewed', ticketId: ticketA, inboxId: inboxA });
    await db.stores.accessLog.record({ at: at(60 * 24 * 3), userId: null, action: 'retention_applied', inboxId: inboxB, detail: 'anonymised=3' });
    await db.stores.accessLog.record({ at: at(5), userId: new Types.ObjectId(), action: 'contact_viewed', contactId: new Types.ObjectId(), ticketId: new Types.ObjectId() });
  });

  it('is for admins only', async () => {
    for (const who of [agent, manager]) expect((await appErrorFrom(listAccessLog(db.stores, who, {}, UTC))).code).toBe('FORBIDDEN');
  });

  it('lists newest first with the names an admin reads, and says when a user or ticket is gone', async () => {
    const page = await listAccessLog(db.stores, admin, {}, UTC);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((e) => e.action)).toEqual(['attachment_downloaded', 'ticket_viewed', 'ticket_viewed', 'contact_viewed', 'retention_applied']);
    expect(page.items[0]).toMatchObject({ user: { id: agentId.toHexString(), name: 'gina@example.test' }, ticket: { id: ticketA.toHexString(), number: 7 }, inbox: null, detail: 'messageId=x attachment=0' });
    expect(page.items[1]).toMatchObject({ user: { name: 'Ada' }, ticket: { number: 8 }, inbox: { id: inboxB.toHexString(), name: 'Billing' } });
    expect(page.items[3]).toMatchObject({ user: { name: null }, ticket: { number: null }, contactId: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(page.items[4]).toMatchObject({ user: null, ticket: null, inbox: { name: 'Billing' }, detail: 'anonymised=3' });
  });

  it('filters by user, action, ticket number and period', async () => {
    const actions = async (query: Record<string, string>) => (await listAccessLog(db.stores, admin, query, UTC)).items.map((e) => `${e.action}:${e.ticket?.number ?? '-'}`);
    expect(await actions({ user: agentId.toHexString() })).toEqual(['attachment_downloaded:7', 'ticket_viewed:7']);
    expect(await actions({ action: 'ticket_viewed' })).toEqual(['ticket_viewed:8', 'ticket_viewed:7']);
    expect(await actions({ ticket: '#7' })).toEqual(['attachment_downloaded:7', 'ticket_viewed:7']);
    expect(await actions({ ticket: '999' })).toEqual([]);
    expect(await actions({ to: '2026-03-01' })).toEqual(['retention_applied:-']);
    expect(await actions({ from: '2026-03-02', action: 'ticket_viewed', user: adminId.toHexString() })).toEqual(['ticket_viewed:8']);
  });

  it('pages by cursor, each entry exactly once, even between equal times', async () => {
    await db.stores.accessLog.record({ at: clock, userId: adminId, action: 'export_requested' });
    await db.stores.accessLog.record({ at: clock, userId: adminId, action: 'export_downloaded' });
    const all = (await listAccessLog(db.stores, admin, {}, UTC)).items.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listAccessLog>> = await listAccessLog(db.stores, admin, cursor ? { cursor } : {}, { ...UTC, limit: 2 });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(seen).toHaveLength(7);
  });

  it('names the wrong parameters', async () => {
    const err = await appErrorFrom(listAccessLog(db.stores, admin, { action: 'nope', from: 'soon' }, UTC));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect((err.details?.issues as Array<{ path: string }>).map((i) => i.path)).toEqual(['action', 'from']);
  });
});

describe('the daily purge', () => {
  it('removes entries older than the retention, and a re-run removes nothing more', async () => {
    const day = 86_400_000;
    for (const age of [400, 366, 365.5, 364, 1]) await db.stores.accessLog.record({ at: new Date(clock.getTime() - age * day), userId: agentId, action: 'ticket_viewed', ticketId: ticketA });
    const deps = { ...db.stores, now, retentionDays: 365 };
    expect(await purgeAccessLog(deps)).toBe(3);
    expect(await purgeAccessLog(deps)).toBe(0);
    expect((await entries()).map((e) => Math.round((clock.getTime() - e.at.getTime()) / day))).toEqual([364, 1]);
  });

  it('keeps everything with a retention of 0', async () => {
    await db.stores.accessLog.record({ at: new Date(0), userId: null, action: 'person_erased', detail: 'messages=3' });
    expect(await purgeAccessLog({ ...db.stores, now, retentionDays: 0 })).toBe(0);
    expect(await entries()).toHaveLength(1);
  });

  it('is planned as one keyed daily job', async () => {
    const planned: Array<[string, unknown]> = [];
    const scheduler = { scheduleRecurring: async (name: string, opts: unknown) => void planned.push([name, opts]) };
    await scheduler.scheduleRecurring(ACCESS_LOG_PURGE_JOB, ACCESS_LOG_PURGE_DAILY);
    await scheduler.scheduleRecurring(ACCESS_LOG_PURGE_JOB, ACCESS_LOG_PURGE_DAILY);
    expect(planned).toEqual([
      [ACCESS_LOG_PURGE_JOB, { key: 'daily', cron: '20 3 * * *', timeZone: 'UTC' }],
      [ACCESS_LOG_PURGE_JOB, { key: 'daily', cron: '20 3 * * *', timeZone: 'UTC' }],
    ]);
  });
});
