import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/domain/errors.js';
import type { TeamLevel } from '../../../../src/domain/teams.js';
import { ticketAgeBucket } from '../../../../src/domain/ticket-age.js';
import { TICKET_PRIORITIES, type TicketPriority, type TicketStatus } from '../../../../src/domain/ticket-status.js';
import type { Actor } from '../../../../src/services/access.js';
import { countTicketList } from '../../../../src/services/tickets/count-views.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { openTestDb } from '../../../helpers/db.js';

// The list filters by person, team, level, priority, age and category: each checked against the
// tickets it must return, for an admin and for agents who reach tickets through an inbox, through a
// team, or both, so that a filter never reaches past what the actor may see.
let db: Awaited<ReturnType<typeof openTestDb>>;
const NOW = new Date('2026-05-20T10:00:00Z');
const HOUR = 3_600_000;
const [inboxA, inboxB, inboxC] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
const [t1, t2, t3, t4] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
const TEAMS: Array<{ _id: Types.ObjectId; name: string; level: TeamLevel; inboxIds: Types.ObjectId[] }> = [
  { _id: t1, name: 'Front desk', level: 'L1', inboxIds: [inboxA] },
  { _id: t2, name: 'Network', level: 'L2', inboxIds: [inboxA, inboxB] },
  { _id: t3, name: 'Systems', level: 'L2', inboxIds: [inboxB] },
  { _id: t4, name: 'Vendor', level: 'L3', inboxIds: [inboxC] },
];
const levelOf = new Map(TEAMS.map((t) => [t._id.toHexString(), t.level]));
const [u1, u2] = [new Types.ObjectId(), new Types.ObjectId()];
const [cat1, cat2] = [new Types.ObjectId(), new Types.ObjectId()];

const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
/** A member of inbox A, in no team. */
const inboxAgent: Actor = { userId: u1, role: 'agent', inboxIds: [inboxA], teamIds: [] };
/** In no inbox, a member of Network (L2, works A and B). */
const teamAgent: Actor = { userId: u2, role: 'agent', inboxIds: [], teamIds: [t2] };
/** A member of inbox B and of Front desk (L1, works A). */
const mixedAgent: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [inboxB], teamIds: [t1] };
const ACTORS = { admin, inboxAgent, teamAgent, mixedAgent };

interface Seed {
  id: string;
  inboxId: Types.ObjectId;
  teamId: Types.ObjectId | null;
  assigneeId: Types.ObjectId | null;
  categoryId: Types.ObjectId | null;
  priority: TicketPriority;
  status: TicketStatus;
  createdAt: Date;
  lastActivityAt: Date;
  merged: boolean;
}
const seeds: Seed[] = [];
const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'solved', 'closed', 'open', 'pending'];
const TEAMS_OF_INBOX = [[t1, t2, null], [t2, t3, null], [t4, null]] as const;

const deps = () => ({ ...db.stores, now: () => NOW });
const sameId = (a: Types.ObjectId | null, b: Types.ObjectId | null) => String(a) === String(b);
const byActivity = (a: Seed, b: Seed) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || (b.id < a.id ? -1 : 1);

function visible(actor: Actor, s: Seed): boolean {
  return actor.role === 'admin' || actor.inboxIds.some((i) => i.equals(s.inboxId)) || Boolean(s.teamId && (actor.teamIds ?? []).some((t) => t.equals(s.teamId!)));
}

/** The ids the list must give this actor: visible, unmerged, kept by `keep`, newest activity first. */
function expected(actor: Actor, keep: (s: Seed) => boolean): string[] {
  return seeds.filter((s) => !s.merged && visible(actor, s) && keep(s)).sort(byActivity).map((s) => s.id);
}

/** Every page of a query, 4 tickets at a time, so paging is checked under each filter. */
async function allPages(actor: Actor, query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page = await listTickets(deps(), actor, { ...query, limit: '4', ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((t) => t.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('paging did not end');
}

async function failure(actor: Actor, query: Record<string, unknown>): Promise<AppError> {
  const err = await listTickets(deps(), actor, query).then(() => null, (e: unknown) => e);
  expect(err, JSON.stringify(query)).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  db = await openTestDb('list_team_filters');
  await db.models.Inbox.create([inboxA, inboxB, inboxC].map((_id, i) => ({ _id, name: `Inbox ${i}`, address: `i${i}@teams.test`, imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } })));
  await db.models.Team.create(TEAMS);
  await db.models.Category.create([{ _id: cat1, name: 'Billing', inboxId: null }, { _id: cat2, name: 'Hardware', inboxId: inboxA }]);
  const docs = [];
  for (let i = 0; i < 126; i++) {
    const box = i % 3;
    const inboxId = [inboxA, inboxB, inboxC][box]!;
    const teams = TEAMS_OF_INBOX[box]!;
    const seed: Seed = {
      id: new Types.ObjectId().toHexString(),
      inboxId,
      teamId: teams[Math.floor(i / 3) % teams.length]!,
      assigneeId: [u1, u2, null][i % 3 === 0 ? (i / 3) % 3 : i % 3]!,
      categoryId: [cat1, cat2, null, null][i % 4]!,
      priority: TICKET_PRIORITIES[(i * 7) % 4]!,
      status: STATUSES[i % STATUSES.length]!,
      // From just now to 10.4 days ago, so every age bucket has tickets, some on a bucket's edge.
      createdAt: new Date(NOW.getTime() - i * 2 * HOUR),
      // Pairs share a lastActivityAt: the _id tie-break is exercised under every filter.
      lastActivityAt: new Date(NOW.getTime() - Math.floor(i / 2) * HOUR),
      merged: i === 125,
    };
    seeds.push(seed);
    docs.push({
      _id: new Types.ObjectId(seed.id), number: i + 1, inboxId, teamId: seed.teamId, subject: `Ticket ${i}`, requester: { email: `c${i}@customer.test` },
      status: seed.status, priority: seed.priority, assigneeId: seed.assigneeId, categoryId: seed.categoryId, createdAt: seed.createdAt,
      lastActivityAt: seed.lastActivityAt, mergedIntoId: seed.merged ? new Types.ObjectId(seeds[0]!.id) : null,
    });
  }
  await db.models.Ticket.insertMany(docs);
  // The fixture is what the checks assume: creation times as given, and tickets on both sides of each day boundary.
  expect((await db.models.Ticket.findById(docs[12]!._id).lean())!.createdAt).toEqual(seeds[12]!.createdAt);
  expect(seeds[12]!.createdAt.getTime()).toBe(NOW.getTime() - 24 * HOUR);
});
afterAll(() => db.drop());

const active = (s: Seed) => ['new', 'open', 'pending'].includes(s.status);

describe('list filters by person, team, level, priority, age and category', () => {
  const cases: Array<[string, Record<string, string>, (s: Seed) => boolean]> = [
    ['assignee by id', { assignee: u2.toHexString() }, (s) => sameId(s.assigneeId, u2)],
    ['assignee by id, active', { assignee: u1.toHexString(), status: 'active' }, (s) => sameId(s.assigneeId, u1) && active(s)],
    ['team', { team: t2.toHexString() }, (s) => sameId(s.teamId, t2)],
    ['team, active', { team: t1.toHexString(), status: 'active' }, (s) => sameId(s.teamId, t1) && active(s)],
    ['team, unassigned, active', { team: t2.toHexString(), assignee: 'unassigned', status: 'active' }, (s) => sameId(s.teamId, t2) && s.assigneeId === null && active(s)],
    ['no team', { team: 'none' }, (s) => !s.teamId],
    ['no team, unassigned, active', { team: 'none', assignee: 'unassigned', status: 'active' }, (s) => !s.teamId && s.assigneeId === null && active(s)],
    ['no team at a level', { team: 'none', level: 'L1' }, () => false],
    ['level', { level: 'L2' }, (s) => Boolean(s.teamId) && levelOf.get(String(s.teamId)) === 'L2'],
    ['level, active', { level: 'L3', status: 'active' }, (s) => levelOf.get(String(s.teamId)) === 'L3' && active(s)],
    ['level of the team', { level: 'L2', team: t3.toHexString() }, (s) => sameId(s.teamId, t3)],
    ['level other than the team’s', { level: 'L1', team: t3.toHexString() }, () => false],
    ['level without teams', { level: 'L4' }, () => false],
    ['one priority', { priority: 'urgent' }, (s) => s.priority === 'urgent'],
    ['priorities', { priority: 'high, urgent', status: 'active' }, (s) => (s.priority === 'high' || s.priority === 'urgent') && active(s)],
    ['age under a day', { age: 'under-1d' }, (s) => ticketAgeBucket(s.createdAt, NOW) === 'under-1d'],
    ['age 1–3 days', { age: '1-3d' }, (s) => ticketAgeBucket(s.createdAt, NOW) === '1-3d'],
    ['age 3–7 days, by team', { age: '3-7d', team: t2.toHexString() }, (s) => ticketAgeBucket(s.createdAt, NOW) === '3-7d' && sameId(s.teamId, t2)],
    ['age over a week', { age: 'over-7d', status: 'active' }, (s) => ticketAgeBucket(s.createdAt, NOW) === 'over-7d' && active(s)],
    ['category', { category: cat1.toHexString() }, (s) => sameId(s.categoryId, cat1)],
    ['category, level, priority', { category: cat2.toHexString(), level: 'L1', priority: 'normal,low' }, (s) => sameId(s.categoryId, cat2) && sameId(s.teamId, t1) && ['low', 'normal'].includes(s.priority)],
    ['inbox and team', { inbox: inboxA.toHexString(), team: t2.toHexString() }, (s) => s.inboxId.equals(inboxA) && sameId(s.teamId, t2)],
  ];

  for (const [name, actor] of Object.entries(ACTORS)) {
    it(`gives ${name} exactly the expected tickets under each filter, page after page`, async () => {
      let nonEmpty = 0;
      for (const [label, query, keep] of cases) {
        // An agent outside inbox A is refused the inbox filter before anything else.
        if (query.inbox && !visibleInbox(actor, inboxA)) continue;
        const want = expected(actor, keep);
        expect(await allPages(actor, query), `${name}: ${label}`).toEqual(want);
        expect(await countTicketList(deps(), actor, query), `${name}: count of ${label}`).toBe(want.length);
        if (want.length > 0) nonEmpty++;
      }
      // At least half the filters find something for every actor (a team-only agent has no ticket without a team).
      expect(nonEmpty).toBeGreaterThanOrEqual(Math.floor(cases.length / 2));
    });
  }

  it('keeps an agent filtering by a team or a person within their own tickets', async () => {
    // Systems works inbox B only: the inbox agent sees none of its tickets, an admin many.
    expect(await allPages(inboxAgent, { team: t3.toHexString() })).toEqual([]);
    expect((await allPages(admin, { team: t3.toHexString() })).length).toBeGreaterThan(5);
    // Someone else's tickets: only those in the agent's inbox or teams.
    const ofU2 = await allPages(mixedAgent, { assignee: u2.toHexString() });
    expect(ofU2.length).toBeGreaterThan(0);
    for (const id of ofU2) {
      const s = seeds.find((x) => x.id === id)!;
      expect(s.inboxId.equals(inboxB) || sameId(s.teamId, t1)).toBe(true);
    }
    expect(ofU2.length).toBeLessThan((await allPages(admin, { assignee: u2.toHexString() })).length);
  });

  it('lets an agent narrow to an inbox they reach only through a team, showing that team’s tickets there', async () => {
    expect(await allPages(teamAgent, { inbox: inboxB.toHexString() })).toEqual(expected(teamAgent, (s) => s.inboxId.equals(inboxB)));
    expect(await allPages(teamAgent, { inbox: inboxB.toHexString() })).toEqual(seeds.filter((s) => !s.merged && s.inboxId.equals(inboxB) && sameId(s.teamId, t2)).sort(byActivity).map((s) => s.id));
    expect(await allPages(mixedAgent, { inbox: inboxA.toHexString(), status: 'active' })).toEqual(expected(mixedAgent, (s) => s.inboxId.equals(inboxA) && active(s)));
    // An inbox none of their teams works, or that does not exist: NOT_FOUND, like any inbox of others.
    for (const inbox of [inboxC, new Types.ObjectId()]) {
      expect((await failure(teamAgent, { inbox: inbox.toHexString() })).code).toBe('NOT_FOUND');
    }
    expect((await failure(inboxAgent, { inbox: inboxB.toHexString() })).code).toBe('NOT_FOUND');
  });

  it('answers a team or category that does not exist with NOT_FOUND, and malformed values with the field', async () => {
    for (const [query, what] of [[{ team: 'nope' }, 'Team'], [{ team: new Types.ObjectId().toHexString() }, 'Team'], [{ category: '12' }, 'Category'], [{ category: new Types.ObjectId().toHexString() }, 'Category']] as const) {
      const err = await failure(admin, query);
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toBe(`${what} not found`);
    }
    for (const [query, path] of [
      [{ assignee: 'bob' }, 'assignee'], [{ assignee: u1.toHexString().slice(1) }, 'assignee'], [{ level: 'L5' }, 'level'], [{ priority: 'soon' }, 'priority.0'],
      [{ priority: ' , ' }, 'priority'], [{ age: '2d' }, 'age'], [{ team: ['a', 'b'] }, 'team'],
    ] as const) {
      const err = await failure(inboxAgent, query);
      expect(err.code, JSON.stringify(query)).toBe('VALIDATION_FAILED');
      expect((err.details as { issues: Array<{ path: string }> }).issues[0]!.path).toBe(path);
    }
    // The assignee issue says what is accepted, in words.
    const bad = await failure(admin, { assignee: 'bob' });
    expect((bad.details as { issues: Array<{ message: string }> }).issues[0]!.message).toBe('must be me, unassigned or a user id');
  });

  it('gives each item its team, level, category, impact and urgency', async () => {
    await db.models.Ticket.updateOne({ _id: new Types.ObjectId(seeds[1]!.id) }, { $set: { impact: 'high', urgency: 'low' } });
    const items = (await listTickets(deps(), admin, { limit: '100' })).items;
    const s = seeds[1]!;
    expect(items.find((t) => t.id === s.id)).toMatchObject({
      teamId: String(s.teamId), level: levelOf.get(String(s.teamId)), categoryId: String(s.categoryId), impact: 'high', urgency: 'low',
    });
    for (const item of items) {
      const seed = seeds.find((x) => x.id === item.id)!;
      expect(item.teamId).toBe(seed.teamId ? String(seed.teamId) : null);
      expect(item.level).toBe(seed.teamId ? levelOf.get(String(seed.teamId)) : null);
      expect(item.categoryId).toBe(seed.categoryId ? String(seed.categoryId) : null);
    }
  });

  it('reads the team, level and person filters through an index in list order, examining few tickets', async () => {
    const issued: Array<{ filter: Record<string, unknown>; options: Record<string, unknown> }> = [];
    db.connection.set('debug', (collection: string, method: string, filter: Record<string, unknown>, options: Record<string, unknown>) => {
      if (collection === 'tickets' && method === 'find') issued.push({ filter, options });
    });
    const queries = [
      { team: t2.toHexString() }, { team: t2.toHexString(), status: 'active' }, { level: 'L2' }, { level: 'L2', status: 'active' },
      { assignee: u1.toHexString(), status: 'active' }, { team: t1.toHexString(), assignee: 'unassigned', status: 'active', priority: 'urgent' },
    ];
    try {
      for (const q of queries) {
        await listTickets(deps(), admin, { ...q, limit: '5' });
        await listTickets(deps(), mixedAgent, { ...q, limit: '5' });
      }
    } finally {
      db.connection.set('debug', false);
    }
    expect(issued).toHaveLength(queries.length * 2);
    for (const { filter, options } of issued) {
      const explained = await db.connection.db!.collection('tickets').find(filter, { sort: options.sort as never, limit: options.limit as number }).explain('executionStats');
      expect(JSON.stringify(explained.queryPlanner.winningPlan), JSON.stringify(filter)).toContain('IXSCAN');
      // Walked in list order: a page of 5 reads little more than itself, not the team's or person's whole history.
      expect(explained.executionStats.totalDocsExamined, JSON.stringify(filter)).toBeLessThanOrEqual(15);
    }
  });
});

function visibleInbox(actor: Actor, inboxId: Types.ObjectId): boolean {
  return actor.role === 'admin' || actor.inboxIds.some((i) => i.equals(inboxId)) || TEAMS.some((t) => (actor.teamIds ?? []).some((m) => m.equals(t._id)) && t.inboxIds.some((i) => i.equals(inboxId)));
}
