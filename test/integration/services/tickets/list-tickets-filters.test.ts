import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/domain/errors.js';
import { ticketSearchTerms, wordTerms } from '../../../../src/domain/ticket-search.js';
import type { TicketStatus } from '../../../../src/domain/ticket-status.js';
import { OPERATOR, type Actor } from '../../../../src/services/access.js';
import { ticketSearch } from '../../../../src/store/migrations/0006-ticket-search.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { refreshSla, type SlaDeps } from '../../../../src/services/sla/refresh-sla.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const NOW = new Date('2026-11-21T12:00:00Z');
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const me = new Types.ObjectId();
const other = new Types.ObjectId();
const agent: Actor = { userId: me, role: 'agent', inboxIds: [inboxA] };
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

interface Seed {
  _id: Types.ObjectId;
  inboxId: Types.ObjectId;
  subject: string;
  status: TicketStatus;
  assigneeId: Types.ObjectId | null;
  tags: string[];
  nextDueAt: Date | null;
  searchTerms: string[];
  lastActivityAt: Date;
  merged: boolean;
}
const seeds: Seed[] = [];

const SUBJECTS = ['Invoice missing', 'Refund for order 77', 'Login broken', 'Second invoice overdue', 'Café menu question'];
const REQUESTERS = [
  { email: 'alice.smith@example.com', name: 'Alice Smith' },
  { email: 'bob@shop.test', name: 'Bob Jones' },
  { email: 'carol@example.org', name: null },
];
const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'solved', 'open', 'closed'];
const TAG_SETS = [['billing'], ['vip', 'billing'], [], ['bug'], ['vip']];
const DUES = [null, minutes(-90), minutes(30), minutes(60), minutes(61), minutes(600)];

const deps = () => ({ ...db.stores, now: () => NOW });
/** Newest activity first, ties by _id descending: the order the list promises. */
const byActivity = (a: Seed, b: Seed) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || (b._id.toHexString() < a._id.toHexString() ? -1 : 1);

async function allPages(actor: Actor, query: Record<string, string>, limit = 4): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page = await listTickets(deps(), actor, { ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((t) => t.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('paging did not end');
}

function expected(actor: Actor, keep: (s: Seed) => boolean): string[] {
  return seeds
    .filter((s) => !s.merged && (actor.role === 'admin' || actor.inboxIds.some((i) => i.equals(s.inboxId))) && keep(s))
    .sort(byActivity)
    .map((s) => s._id.toHexString());
}

async function validationIssue(query: Record<string, unknown>): Promise<string> {
  const err = await listTickets(deps(), agent, query).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('VALIDATION_FAILED');
  return ((err as AppError).details as { issues: Array<{ path: string }> }).issues[0]!.path;
}

beforeAll(async () => {
  db = await openTestDb('list_filters');
  await db.models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@filters.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } },
    { _id: inboxB, name: 'B', address: 'b@filters.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } },
  ]);
  const docs = [];
  for (let i = 0; i < 90; i++) {
    const inboxId = i % 9 === 8 ? inboxB : inboxA;
    const subject = SUBJECTS[i % SUBJECTS.length]!;
    const requester = REQUESTERS[i % REQUESTERS.length]!;
    const status = STATUSES[i % STATUSES.length]!;
    const nextDueAt = status === 'solved' || status === 'closed' ? null : DUES[i % DUES.length]!;
    // Groups of three share a lastActivityAt, so the _id tie-break is exercised under every filter.
    const lastActivityAt = minutes(-10 * Math.floor(i / 3));
    const seed: Seed = {
      _id: new Types.ObjectId(), inboxId, subject, status, lastActivityAt, nextDueAt,
      assigneeId: i % 4 === 0 ? me : i % 4 === 1 ? other : null,
      tags: TAG_SETS[i % TAG_SETS.length]!,
      searchTerms: ticketSearchTerms({ subject, requester }),
      merged: i === 89,
    };
    seeds.push(seed);
    docs.push({
      _id: seed._id, number: i + 1, inboxId, subject, requester, status, assigneeId: seed.assigneeId, tags: seed.tags,
      searchTerms: seed.searchTerms, lastActivityAt, sla: { nextDueAt }, mergedIntoId: seed.merged ? seeds[0]!._id : null,
    });
  }
  await db.models.Ticket.insertMany(docs);
});
afterAll(() => db.drop());

const has = (s: Seed, ...words: string[]) => words.every((w) => s.searchTerms.includes(w));
const dueSoon = (s: Seed) => s.nextDueAt !== null && s.nextDueAt <= minutes(60);

describe('listTickets filters', () => {
  it('filters by one tag, exactly, whatever its case or surrounding spaces in the query', async () => {
    expect(await allPages(agent, { tag: 'vip' })).toEqual(expected(agent, (s) => s.tags.includes('vip')));
    expect(await allPages(agent, { tag: ' Billing ' })).toEqual(expected(agent, (s) => s.tags.includes('billing')));
    expect(await allPages(agent, { tag: 'bil' })).toEqual([]);
  });

  it('filters "due soon" to breached tickets and those due within the hour, soonest due first', async () => {
    const ids = await allPages(agent, { due: 'soon' });
    const byDue = (a: Seed, b: Seed) => a.nextDueAt!.getTime() - b.nextDueAt!.getTime() || (a._id.toHexString() < b._id.toHexString() ? -1 : 1);
    expect(ids).toEqual(seeds.filter((s) => !s.merged && s.inboxId.equals(inboxA) && dueSoon(s)).sort(byDue).map((s) => s._id.toHexString()));
    expect(ids.length).toBeGreaterThan(5);
    const due = new Map(seeds.map((s) => [s._id.toHexString(), s.nextDueAt]));
    expect(ids.every((id) => due.get(id)! <= minutes(60))).toBe(true);
    expect(ids.some((id) => due.get(id)! < NOW)).toBe(true);
  });

  it('searches subject words by stem (the last one typed also by prefix) and requester name or email by prefix', async () => {
    expect(await allPages(agent, { q: 'invoices ' })).toEqual(expected(agent, (s) => /invoice/i.test(s.subject)));
    expect(await allPages(agent, { q: 'INVOICE' })).toEqual(expected(agent, (s) => /invoice/i.test(s.subject)));
    expect(await allPages(agent, { q: 'invo' })).toEqual(expected(agent, (s) => /invoice/i.test(s.subject)));
    expect(await allPages(agent, { q: 'invo ' })).toEqual([]);
    expect(await allPages(agent, { q: 'ali' })).toEqual(expected(agent, (s) => has(s, 'alice')));
    expect(await allPages(agent, { q: 'alice.smith@exa' })).toEqual(expected(agent, (s) => has(s, 'alice')));
    expect(await allPages(agent, { q: 'JON' })).toEqual(expected(agent, (s) => has(s, 'jones')));
    expect(await allPages(agent, { q: 'cafe' })).toEqual(expected(agent, (s) => s.subject.startsWith('Café')));
    expect(await allPages(agent, { q: 'bob invoice' })).toEqual(expected(agent, (s) => has(s, 'bob', 'invoic')));
    expect((await allPages(agent, { q: 'bob invoice' })).length).toBeGreaterThan(0);
  });

  it('combines every filter with inbox, status and assignee, paging each exactly once in order', async () => {
    const cases: Array<[Record<string, string>, (s: Seed) => boolean]> = [
      [{ tag: 'vip', status: 'open' }, (s) => s.tags.includes('vip') && s.status === 'open'],
      [{ tag: 'billing', assignee: 'unassigned', inbox: inboxA.toHexString() }, (s) => s.tags.includes('billing') && s.assigneeId === null],
      [{ due: 'soon', assignee: 'me' }, (s) => dueSoon(s) && s.assigneeId?.equals(me) === true],
      [{ due: 'soon', status: 'new,pending', inbox: inboxA.toHexString() }, (s) => dueSoon(s) && (s.status === 'new' || s.status === 'pending')],
      [{ q: 'refund', tag: 'billing', status: 'open,new' }, (s) => has(s, 's:refund') && s.tags.includes('billing') && (s.status === 'open' || s.status === 'new')],
      [{ q: 'example', due: 'soon', tag: 'vip' }, (s) => has(s, 'example') && dueSoon(s) && s.tags.includes('vip')],
      [{ q: 'login', assignee: 'me', status: 'new' }, (s) => has(s, 's:login') && s.assigneeId?.equals(me) === true && s.status === 'new'],
    ];
    for (const [query, keep] of cases) {
      const want = expected(agent, keep);
      expect(await allPages(agent, query, 2), JSON.stringify(query)).toEqual(want);
      expect(await allPages(agent, query, 100), JSON.stringify(query)).toEqual(want);
    }
    expect(cases.filter(([, keep]) => expected(agent, keep).length > 2).length).toBeGreaterThanOrEqual(4);
  });

  it('sorts by creation (newest first) and by due time (soonest first, then the tickets without one), paging each exactly once', async () => {
    const mine = seeds.filter((s) => !s.merged && s.inboxId.equals(inboxA));
    const created = new Map((await db.models.Ticket.find({ _id: { $in: mine.map((s) => s._id) } }, { createdAt: 1 }).lean()).map((t) => [t._id.toHexString(), t.createdAt.getTime()]));
    const byCreated = (a: Seed, b: Seed) => created.get(b._id.toHexString())! - created.get(a._id.toHexString())! || (b._id.toHexString() < a._id.toHexString() ? -1 : 1);
    expect(await allPages(agent, { sort: 'created' }, 7)).toEqual([...mine].sort(byCreated).map((s) => s._id.toHexString()));
    const byDue = (a: Seed, b: Seed) => a.nextDueAt!.getTime() - b.nextDueAt!.getTime() || (a._id.toHexString() < b._id.toHexString() ? -1 : 1);
    const want = [...mine.filter((s) => s.nextDueAt).sort(byDue), ...mine.filter((s) => !s.nextDueAt).sort(byActivity)].map((s) => s._id.toHexString());
    expect(await allPages(agent, { sort: 'due' }, 4)).toEqual(want);
    expect(await allPages(agent, { sort: 'due' }, 100)).toEqual(want);
    expect(await allPages(agent, { sort: 'due', status: 'open' }, 3)).toEqual(want.filter((id) => seeds.find((s) => s._id.toHexString() === id)!.status === 'open'));
  });

  it('lists nothing as "mine" for an actor that is no user (regression: the operator\'s "mine" listed the unassigned tickets)', async () => {
    const unassigned = await listTickets(deps(), admin, { assignee: 'unassigned' });
    expect(unassigned.items.length).toBeGreaterThan(0);
    expect((await listTickets(deps(), OPERATOR, { assignee: 'me' })).items).toEqual([]);
  });

  it('keeps to the actor’s inboxes, and never lists merged tickets', async () => {
    const inB = expected(admin, (s) => s.inboxId.equals(inboxB) && s.tags.includes('vip'));
    expect(inB.length).toBeGreaterThan(0);
    expect(await allPages(admin, { tag: 'vip' })).toEqual(expected(admin, (s) => s.tags.includes('vip')));
    expect(await allPages(admin, { tag: 'vip', inbox: inboxB.toHexString() })).toEqual(inB);
    const agentIds = await allPages(agent, { tag: 'vip' });
    expect(agentIds.some((id) => inB.includes(id))).toBe(false);
    await expect(listTickets(deps(), agent, { tag: 'vip', inbox: inboxB.toHexString() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const merged = seeds.find((s) => s.merged)!;
    expect(merged.searchTerms.length).toBeGreaterThan(0);
    expect(await allPages(admin, { q: merged.subject })).not.toContain(merged._id.toHexString());
  });

  it('refuses malformed filters with VALIDATION_FAILED naming the field', async () => {
    expect(await validationIssue({ due: 'later' })).toBe('due');
    expect(await validationIssue({ tag: '   ' })).toBe('tag');
    expect(await validationIssue({ tag: 'x'.repeat(51) })).toBe('tag');
    expect(await validationIssue({ tag: ['vip', 'bug'] })).toBe('tag');
    expect(await validationIssue({ q: '?!' })).toBe('q');
    expect(await validationIssue({ q: 'a b c d e f g h i' })).toBe('q');
    expect(await validationIssue({ q: 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13' })).toBe('q');
    expect(await validationIssue({ q: 'status:later' })).toBe('q');
    expect(await validationIssue({ q: 'x'.repeat(201) })).toBe('q');
    // A blank search is no search (an empty form field).
    expect((await listTickets(deps(), agent, { q: '  ', limit: '100' })).items).toHaveLength(expected(agent, () => true).slice(0, 100).length);
  });

  it('reads each filter through an index, examining far fewer tickets than the collection holds', async () => {
    const issued: Array<{ filter: Record<string, unknown>; options: Record<string, unknown> }> = [];
    db.connection.set('debug', (collection: string, method: string, filter: Record<string, unknown>, options: Record<string, unknown>) => {
      if (collection === 'tickets' && method === 'find') issued.push({ filter, options });
    });
    const queries = [{ tag: 'bug' }, { due: 'soon' }, { q: 'login' }, { q: 'refund bob' }, { tag: 'bug', inbox: inboxA.toHexString() }, { due: 'soon', inbox: inboxA.toHexString() }];
    try {
      for (const q of queries) await listTickets(deps(), admin, { ...q, limit: '5' });
    } finally {
      db.connection.set('debug', false);
    }
    // A search lists subject matches first: one query for that part, one more when it does not fill the page.
    expect(issued.length).toBeGreaterThanOrEqual(queries.length);
    expect(issued.length).toBeLessThanOrEqual(queries.length + 2);
    for (const { filter, options } of issued) {
      const explained = await db.connection.db!.collection('tickets').find(filter, { sort: options.sort as never, limit: options.limit as number }).explain('executionStats');
      expect(JSON.stringify(explained.queryPlanner.winningPlan), JSON.stringify(filter)).toContain('IXSCAN');
      expect(explained.executionStats.totalDocsExamined, JSON.stringify(filter)).toBeLessThanOrEqual(seeds.length / 2);
    }
  });
});

describe('stored search and due fields', () => {
  it('makes a ticket opened by ingest findable by its subject and requester', async () => {
    const fx = await ingestFixture('list_filters_ingest');
    try {
      const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ messageId: 'search@customer.test', subject: 'Rückerstattung für Bestellung 9921' }), source: null });
      expect(result.outcome).toBe('ticketed');
      const stored = (await fx.models.Ticket.findOne({}).select('+searchTerms').lean())!;
      expect(stored.searchTerms).toEqual(expect.arrayContaining([...wordTerms('rückerstattung'), ...wordTerms('bestellung'), '9921', 'ann', 'an', 'customer', 'cu']));
      const find = async (q: string) => (await listTickets({ ...fx.stores, now: () => NOW }, admin, { q })).items.map((t) => t.id);
      for (const q of ['Rückerstattung', 'ann 9921', 'ann@cust', 'Ann Customer']) expect(await find(q), q).toEqual([stored._id.toHexString()]);
      expect(await find('bestell')).toEqual([stored._id.toHexString()]);
      expect(await find('bestell ')).toEqual([]);
    } finally {
      await fx.db.drop();
    }
  });

  it('refreshSla stores the next due time that the "due soon" filter reads', async () => {
    const inbox = await db.models.Inbox.create({ name: 'SLA', address: 'sla@filters.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
    // Normal priority, default policy: first response within 8 h, so 7.5 h old means due in 30 minutes.
    const t = await db.models.Ticket.create({ number: 500, inboxId: inbox._id, subject: 'Clock', requester: { email: 'x@y.test' }, status: 'new', createdAt: minutes(-450), lastActivityAt: minutes(-450) });
    const slaDeps = { models: db.models, ...db.stores, now: () => NOW, scheduler: noJobs, compose, sign: () => '', render: async () => ({ subject: '', html: '', text: '' }), logger: testLogger, ticketUrlBase: null } as unknown as SlaDeps;
    await refreshSla(slaDeps, t._id);
    const stored = (await db.models.Ticket.findById(t._id).lean())!;
    expect(stored.sla.nextDueAt).toEqual(minutes(30));
    expect(stored.sla.nextDueAt).toEqual(stored.sla.firstResponseDueAt);
    expect((await listTickets(deps(), admin, { due: 'soon', inbox: inbox._id.toHexString() })).items.map((i) => i.number)).toEqual([500]);
    await db.models.Ticket.updateOne({ _id: t._id }, { $set: { status: 'solved' } });
    await refreshSla(slaDeps, t._id);
    expect((await db.models.Ticket.findById(t._id).lean())!.sla.nextDueAt).toBeNull();
    expect((await listTickets(deps(), admin, { due: 'soon', inbox: inbox._id.toHexString() })).items).toEqual([]);
  });

  it('gives tickets stored before search and "due soon" existed their terms and next due time (migration 6), once', async () => {
    const inbox = await db.models.Inbox.create({ name: 'Old', address: 'old@filters.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
    const old = Array.from({ length: 7 }, (_, i) => ({
      number: 600 + i, inboxId: inbox._id, subject: `Printer jam ${i}`, requester: { email: `olga${i}@legacy.test`, name: 'Olga' }, status: 'open',
      lastActivityAt: minutes(-i), sla: { firstResponseDueAt: minutes(i * 20) },
    }));
    // Written around mongoose, as tickets from before these fields were: no searchTerms, no nextDueAt.
    await db.connection.db!.collection('tickets').insertMany(old.map((t) => ({ ...t, _id: new Types.ObjectId() })));
    expect((await listTickets(deps(), admin, { q: 'printer' })).items).toEqual([]);
    // These seven, and any other ticket written without terms (the SLA test's, through the model).
    expect(await db.models.Ticket.countDocuments({ searchTerms: { $exists: false } })).toBeGreaterThanOrEqual(7);
    await ticketSearch.up({ db: db.connection.db!, logger: testLogger });
    expect(await db.models.Ticket.countDocuments({ searchTerms: { $exists: false } })).toBe(0);
    const dues = async () => (await db.models.Ticket.find({ number: { $gte: 600 } }, { number: 1, sla: 1 }).sort({ number: 1 }).lean()).map((t) => t.sla.nextDueAt);
    const first = await dues();
    expect(first).toEqual(old.map((t) => t.sla.firstResponseDueAt));
    // A second run (a crash before it was recorded) changes nothing.
    await ticketSearch.up({ db: db.connection.db!, logger: testLogger });
    expect(await dues()).toEqual(first);
    expect((await listTickets(deps(), admin, { q: 'printer olg', limit: '100' })).items.map((t) => t.number).sort()).toEqual([600, 601, 602, 603, 604, 605, 606]);
    expect((await listTickets(deps(), admin, { due: 'soon', inbox: inbox._id.toHexString() })).items.map((t) => t.number)).toEqual([600, 601, 602, 603]);
  });
});
