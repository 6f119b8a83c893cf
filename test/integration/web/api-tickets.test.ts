import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketStatus } from '../../../src/domain/ticket-status.js';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let number = 0;
const BASE_TIME = Date.parse('2026-03-01T12:00:00Z');

interface Seeded {
  _id: Types.ObjectId;
  lastActivityAt: Date;
  status: TicketStatus;
}

async function ticket(inboxId: Types.ObjectId, fields: Record<string, unknown> = {}) {
  number += 1;
  return h.models.Ticket.create({ number, inboxId, subject: `Ticket ${number}`, requester: { email: `c${number}@example.com`, name: `Customer ${number}` }, ...fields });
}

/** Newest activity first, ties by _id descending: the order the API promises. */
const byActivity = (a: Seeded, b: Seeded) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || (b._id.toHexString() < a._id.toHexString() ? -1 : 1);

async function allPages(path: string, token: string) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(h.base, 'GET', cursor ? `${path}${sep}cursor=${cursor}` : path, { token });
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((t: { id: string }) => t.id));
    sizes.push(res.body.items.length);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { ids, sizes };
}

const seededA: Seeded[] = [];
let hiddenTicket: Types.ObjectId;

beforeAll(async () => {
  h = await startApi('api_tickets');
  await h.models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } },
    { _id: inboxB, name: 'B', address: 'b@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } },
  ]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');

  const statuses: TicketStatus[] = ['new', 'open', 'pending', 'solved', 'closed'];
  for (let i = 0; i < 120; i++) {
    // Groups of ten share one lastActivityAt, so the _id tie-break is exercised on every page boundary.
    const lastActivityAt = new Date(BASE_TIME - Math.floor(i / 10) * 60_000);
    const status = statuses[i % statuses.length]!;
    const t = await ticket(inboxA, { lastActivityAt, status });
    seededA.push({ _id: t._id, lastActivityAt, status });
  }
  for (let i = 0; i < 5; i++) await ticket(inboxB, { lastActivityAt: new Date(BASE_TIME - i * 1000), status: 'open' });
  hiddenTicket = (await h.models.Ticket.findOne({ inboxId: inboxB }).lean())!._id;
  // Merged tickets are listed under the ticket they were merged into, not on their own.
  await ticket(inboxA, { lastActivityAt: new Date(BASE_TIME + 60_000), status: 'open', mergedIntoId: seededA[0]!._id });
});
afterAll(() => h.close());

describe('GET /api/v1/tickets', () => {
  it('pages through 120 tickets 50 at a time, each exactly once, newest first', async () => {
    const { ids, sizes } = await allPages('/tickets?limit=50', agent);
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(ids).size).toBe(120);
    expect(ids).toEqual([...seededA].sort(byActivity).map((t) => t._id.toHexString()));
  });

  it('shows an admin every inbox, and defaults to 25 per page', async () => {
    const first = await call(h.base, 'GET', '/tickets', { token: admin });
    expect(first.body.items).toHaveLength(25);
    expect(first.body.items[0]).toEqual({
      id: expect.any(String),
      number: expect.any(Number),
      subject: expect.any(String),
      status: expect.any(String),
      priority: 'normal',
      inboxId: expect.any(String),
      requester: { email: expect.stringContaining('@example.com'), name: expect.stringContaining('Customer') },
      assigneeId: null,
      teamId: null,
      level: null,
      categoryId: null,
      impact: null,
      urgency: null,
      tags: [],
      messageCount: 0,
      lastActivityAt: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      sla: expect.objectContaining({ firstResponseDueAt: null, pausedSeconds: 0, escalationLevel: 0 }),
      snooze: null,
      backFromSnooze: null,
      // Not rated by the customer (services/satisfaction).
      satisfaction: null,
      // Nothing measured yet (domain/ticket-metrics.ts): no reply, no solve.
      metrics: {
        firstResponseAt: null, firstResponseSeconds: null, firstResponseBusinessSeconds: null,
        lastSolvedAt: null, resolutionSeconds: null, resolutionBusinessSeconds: null, reopenCount: 0,
        sla: { firstResponse: null, nextResponse: null, resolution: null },
      },
      waitingForAgent: null,
      // Never opened by the admin: unread for them.
      unread: true,
    });
    const { ids } = await allPages('/tickets?limit=100', admin);
    expect(ids).toHaveLength(125);
    expect(ids).toContain(hiddenTicket.toHexString());
  });

  it('filters by one or several statuses', async () => {
    const { ids } = await allPages('/tickets?status=open,pending&limit=7', agent);
    const expected = seededA.filter((t) => t.status === 'open' || t.status === 'pending').sort(byActivity);
    expect(ids).toEqual(expected.map((t) => t._id.toHexString()));
    const solved = await allPages(`/tickets?status=solved&inbox=${inboxA.toHexString()}&limit=100`, agent);
    expect(solved.ids).toHaveLength(24);
    const bad = await call(h.base, 'GET', '/tickets?status=open,bogus', { token: agent });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toMatch(/^status/);
  });

  it('keeps other inboxes out of an agent’s list: absent by default, 404 when asked for', async () => {
    const { ids } = await allPages('/tickets?limit=100', agent);
    expect(ids).not.toContain(hiddenTicket.toHexString());
    const asked = await call(h.base, 'GET', `/tickets?inbox=${inboxB.toHexString()}`, { token: agent });
    expect(asked.status).toBe(404);
    expect(asked.body.error).toEqual({ code: 'NOT_FOUND', message: 'Inbox not found' });
    const unknown = await call(h.base, 'GET', `/tickets?inbox=${new Types.ObjectId().toHexString()}`, { token: admin });
    expect(unknown.status).toBe(404);
  });

  it('rejects a tampered or invented cursor and an out-of-range limit with 400', async () => {
    const first = await call(h.base, 'GET', '/tickets?limit=5', { token: agent });
    const cursor: string = first.body.nextCursor;
    const flipped = cursor.slice(0, -2) + (cursor.at(-2) === 'A' ? 'B' : 'A') + cursor.at(-1);
    const decoded = Buffer.from(cursor, 'base64url').toString();
    const forged = Buffer.from(`${decoded}x`).toString('base64url');
    for (const bad of [flipped, 'not a cursor!', 'AAAA', forged, `${cursor}=`]) {
      const res = await call(h.base, 'GET', `/tickets?cursor=${encodeURIComponent(bad)}`, { token: agent });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues[0].path).toBe('cursor');
    }
    for (const limit of ['0', '101', 'ten']) {
      expect((await call(h.base, 'GET', `/tickets?limit=${limit}`, { token: agent })).status).toBe(400);
    }
  });

  it('reads pages through the ticket indexes instead of skipping', async () => {
    const issued: Array<{ filter: Record<string, unknown>; options: Record<string, unknown> }> = [];
    h.connection.set('debug', (collection: string, method: string, filter: Record<string, unknown>, options: Record<string, unknown>) => {
      if (collection === 'tickets' && method === 'find') issued.push({ filter, options });
    });
    try {
      const first = await call(h.base, 'GET', '/tickets?limit=50', { token: agent });
      await call(h.base, 'GET', `/tickets?limit=50&cursor=${first.body.nextCursor}`, { token: agent });
      await call(h.base, 'GET', `/tickets?limit=50&status=open,new&cursor=${first.body.nextCursor}`, { token: agent });
    } finally {
      h.connection.set('debug', false);
    }
    expect(issued).toHaveLength(3);
    for (const { filter, options } of issued) {
      expect(options).not.toHaveProperty('skip');
      expect(options.sort).toEqual({ lastActivityAt: -1, _id: -1 });
      const explained = await h.connection.db!.collection('tickets').find(filter, { sort: options.sort as never, limit: options.limit as number, projection: options.projection as never }).explain('executionStats');
      const plan = JSON.stringify(explained.queryPlanner.winningPlan);
      expect(plan).toContain('IXSCAN');
      // An agent's list is scoped by access keys (their inboxes and teams): the (access, [status,] lastActivityAt, _id) indexes.
      expect(plan).toMatch(/access_1_(status_1_)?lastActivityAt_-1__id_-1/);
      expect(explained.executionStats.totalDocsExamined).toBeLessThanOrEqual(70);
    }
  });
});

describe('GET /api/v1/tickets/:id', () => {
  let full: Types.ObjectId;
  let pdfId: Types.ObjectId;
  let htmlId: Types.ObjectId;
  let missingFileId: Types.ObjectId;
  let hiddenFileId: Types.ObjectId;
  const pdfBytes = Buffer.from('%PDF-1.4 résumé bytes');

  beforeAll(async () => {
    const t = await ticket(inboxA, { status: 'open', messageCount: 3, lastActivityAt: new Date(BASE_TIME - 3_600_000) });
    full = t._id;
    pdfId = (await h.blobs.put(pdfBytes, { filename: 'x', contentType: 'application/pdf' })).id as unknown as Types.ObjectId;
    htmlId = (await h.blobs.put(Buffer.from('<script>alert(1)</script>'), { filename: 'x', contentType: 'text/html' })).id as unknown as Types.ObjectId;
    missingFileId = new Types.ObjectId();
    const at = new Date(BASE_TIME - 7_200_000);
    const later = new Date(at.getTime() + 1000);
    const [id1, id2, id3] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    const att = (fileId: Types.ObjectId, filename: string, contentType: string) => ({ fileId, filename, contentType, size: 10, sha256: 'x', inline: false });
    const base = { ticketId: full, inboxId: inboxA, direction: 'inbound' as const, from: { address: 'c@example.com', name: 'C' }, to: [{ address: 'a@example.com' }] };
    // Inserted out of order; two share a createdAt and must come back in _id order.
    await h.models.Message.create({ ...base, _id: id3, createdAt: later, subject: 'third', attachments: [att(htmlId, 'page.html', 'text/html')] });
    await h.models.Message.create({ ...base, _id: id1, createdAt: at, subject: 'first', text: 'hello', attachments: [att(missingFileId, 'lost.txt', 'text/plain')] });
    await h.models.Message.create({ ...base, _id: id2, createdAt: later, subject: 'second', direction: 'outbound', attachments: [att(pdfId, 'résumé (1).pdf', 'application/pdf')] });
    await h.models.TicketEvent.create([
      { ticketId: full, type: 'message_received', actor: { kind: 'contact' }, at: later },
      { ticketId: full, type: 'created', actor: { kind: 'system' }, at, data: { via: 'imap' } },
    ]);

    const hidden = await ticket(inboxB);
    hiddenFileId = (await h.blobs.put(Buffer.from('secret'), { filename: 'x', contentType: 'text/plain' })).id as unknown as Types.ObjectId;
    await h.models.Message.create({ ticketId: hidden._id, inboxId: inboxB, direction: 'inbound', attachments: [att(hiddenFileId, 'secret.txt', 'text/plain')] });
  });

  it('returns the conversation in order with its attachments, and the event trail', async () => {
    const res = await call(h.base, 'GET', `/tickets/${full.toHexString()}`, { token: agent });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: full.toHexString(), status: 'open', messageCount: 3, mergedInto: null });
    expect(res.body.messages.map((m: { subject: string }) => m.subject)).toEqual(['first', 'second', 'third']);
    expect(res.body.messages[1]).toEqual({
      id: expect.any(String),
      direction: 'outbound',
      messageId: null,
      from: { address: 'c@example.com', name: 'C' },
      to: [{ address: 'a@example.com', name: null }],
      cc: [],
      bcc: [],
      subject: 'second',
      text: null,
      html: null,
      attachments: [{ id: pdfId.toHexString(), filename: 'résumé (1).pdf', contentType: 'application/pdf', size: 10, inline: false, contentId: null }],
      flags: { autoSubmitted: false, autoSubmittedReason: null, bounce: false, autoReply: false, htmlTooComplex: false },
      createdAt: new Date(BASE_TIME - 7_199_000).toISOString(),
    });
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['created', 'message_received']);
    expect(res.body.events[0]).toMatchObject({ actor: { kind: 'system', id: null, label: null }, data: { via: 'imap' } });
  });

  it('names the ticket a merged one went into', async () => {
    const merged = await h.models.Ticket.findOne({ mergedIntoId: { $ne: null } }).lean();
    const res = await call(h.base, 'GET', `/tickets/${merged!._id.toHexString()}`, { token: agent });
    expect(res.status).toBe(200);
    const target = await h.models.Ticket.findById(merged!.mergedIntoId).lean();
    expect(res.body.mergedInto).toEqual({ id: target!._id.toHexString(), number: target!.number });
  });

  it('answers 404 for another inbox’s ticket, an unknown id and a malformed id', async () => {
    for (const id of [hiddenTicket.toHexString(), new Types.ObjectId().toHexString(), 'nope']) {
      const res = await call(h.base, 'GET', `/tickets/${id}`, { token: agent });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Ticket not found' } });
    }
    expect((await call(h.base, 'GET', `/tickets/${hiddenTicket.toHexString()}`, { token: admin })).status).toBe(200);
  });
});

describe('GET /api/v1/attachments/:fileId', () => {
  const fileOf = async (subject: string) =>
    (await h.models.Message.findOne({ subject }).lean())!.attachments[0]!.fileId.toHexString();

  it('streams the file with download headers', async () => {
    const id = await fileOf('second');
    const res = await fetch(`${h.base}/attachments/${id}`, { headers: { authorization: `Bearer ${agent}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.4 résumé bytes');
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="r_sum_ (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.pdf`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private');
  });

  it('never serves HTML as HTML', async () => {
    const res = await fetch(`${h.base}/attachments/${await fileOf('third')}`, { headers: { authorization: `Bearer ${agent}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
    await res.arrayBuffer();
  });

  it('answers 404 for a file of another inbox, an unreferenced file, a lost file and a bad id', async () => {
    const hidden = await h.models.Message.findOne({ inboxId: inboxB, 'attachments.0': { $exists: true } }).lean();
    const hiddenId = hidden!.attachments[0]!.fileId.toHexString();
    const unreferenced = (await h.blobs.put(Buffer.from('orphan'), { filename: 'o', contentType: 'text/plain' })).id.toHexString();
    for (const id of [hiddenId, unreferenced, await fileOf('first'), 'bad-id']) {
      const res = await call(h.base, 'GET', `/attachments/${id}`, { token: agent });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect(res.headers.get('content-disposition')).toBeNull();
    }
    const asAdmin = await fetch(`${h.base}/attachments/${hiddenId}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(asAdmin.status).toBe(200);
    expect(await asAdmin.text()).toBe('secret');
  });

  it('requires a token', async () => {
    expect((await call(h.base, 'GET', `/attachments/${await fileOf('second')}`)).status).toBe(401);
  });
});
