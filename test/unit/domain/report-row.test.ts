import { describe, expect, it } from 'vitest';
import {
  REPORT_ROW_EVENT_TYPES,
  ROW_EVENT,
  reportRowOf,
  rowEventKinds,
  rowInScope,
  rowLastFactAt,
  type ReportRow,
  type ReportRowScope,
  type ReportRowTicket,
  type ReportRowTrailEntry,
} from '../../../src/domain/report-row.js';
import { TICKET_STATUSES, type TicketStatus } from '../../../src/domain/ticket-status.js';

const d = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);
const AGENT = 'a'.repeat(24);
const OTHER = 'b'.repeat(24);
const INBOX = '1'.repeat(24);
const INBOX2 = '2'.repeat(24);
const TEAM = 'c'.repeat(24);
const TEAM2 = 'd'.repeat(24);
const CATEGORY = 'e'.repeat(24);
const TICKET = 'f'.repeat(24);

const ticket = (over: Partial<ReportRowTicket> = {}): ReportRowTicket => ({
  number: 7,
  ticketId: TICKET,
  inboxId: INBOX,
  teamId: TEAM,
  assigneeId: AGENT,
  categoryId: CATEGORY,
  priority: 'high',
  tags: ['vip'],
  status: 'open',
  merged: false,
  createdAt: d('2026-05-01T08:00:00Z'),
  metrics: null,
  ...over,
});

const entry = (type: string, iso: string, data: ReportRowTrailEntry['data'] = undefined, actor: ReportRowTrailEntry['actor'] = { kind: 'user', id: AGENT }): ReportRowTrailEntry => ({ type, at: d(iso), actor, data });
const status = (from: string, to: string, iso = '2026-05-02T10:00:00Z', actor?: ReportRowTrailEntry['actor']) => entry('status_changed', iso, { from, to }, actor);

describe('rowEventKinds', () => {
  it('counts a status change to solved as a solve, whatever it came from', () => {
    for (const from of ['new', 'open', 'pending', 'with_partner', 'closed']) expect(rowEventKinds(status(from, 'solved'))).toBe(ROW_EVENT.solve);
  });

  it('counts `reopened` and a status change from solved or closed back to an active status as a reopen', () => {
    expect(rowEventKinds(entry('reopened', '2026-05-02T10:00:00Z'))).toBe(ROW_EVENT.reopen);
    for (const from of ['solved', 'closed']) {
      for (const to of ['new', 'open', 'pending', 'with_partner']) expect(rowEventKinds(status(from, to))).toBe(ROW_EVENT.reopen);
    }
  });

  it('counts a queued reply and an SLA breach', () => {
    expect(rowEventKinds(entry('reply_queued', '2026-05-02T10:00:00Z'))).toBe(ROW_EVENT.reply);
    expect(rowEventKinds(entry('sla_breached', '2026-05-02T10:00:00Z'))).toBe(ROW_EVENT.breach);
  });

  it('drops every other status change and every other type', () => {
    const dropped: Array<[string, string]> = [
      ['open', 'pending'],
      ['new', 'open'],
      ['solved', 'closed'],
      ['closed', 'spam'],
      ['solved', 'spam'],
      ['open', 'closed'],
      ['pending', 'spam'],
    ];
    for (const [from, to] of dropped) expect(rowEventKinds(status(from, to)), `${from} → ${to}`).toBe(0);
    expect(rowEventKinds(entry('status_changed', '2026-05-02T10:00:00Z', null))).toBe(0);
    expect(rowEventKinds(entry('status_changed', '2026-05-02T10:00:00Z', undefined))).toBe(0);
    expect(rowEventKinds(entry('status_changed', '2026-05-02T10:00:00Z', { from: 'solved', to: 42 }))).toBe(0);
    for (const type of ['assigned', 'note_added', 'tags_changed', 'priority_changed', 'message_received', 'merged']) expect(rowEventKinds(entry(type, '2026-05-02T10:00:00Z', { from: 'solved', to: 'solved' }))).toBe(0);
  });

  it('keeps only the types it names', () => {
    expect([...REPORT_ROW_EVENT_TYPES].sort()).toEqual(['reopened', 'reply_queued', 'sla_breached', 'status_changed']);
  });
});

describe('reportRowOf', () => {
  it('makes the row of a ticket with full metrics, a commented rating and its counted trail, oldest first', () => {
    const row = reportRowOf(
      ticket({
        status: 'solved',
        tags: ['vip', 'billing', 'vip', 'billing', 'é'],
        metrics: {
          firstResponseAt: d('2026-05-01T09:00:00Z'),
          firstResponseSeconds: 3600,
          firstResponseBusinessSeconds: 1800,
          lastSolvedAt: d('2026-05-03T08:00:00Z'),
          resolutionSeconds: 172_800,
          resolutionBusinessSeconds: 57_600,
          reopenCount: 2,
          sla: { firstResponse: 'met', nextResponse: 'breached', resolution: 'met' },
        },
      }),
      [
        status('open', 'solved', '2026-05-03T08:00:00Z', { kind: 'user', id: OTHER }),
        entry('note_added', '2026-05-01T08:30:00Z'),
        entry('reply_queued', '2026-05-01T09:00:00Z'),
        entry('sla_breached', '2026-05-02T12:00:00Z', undefined, { kind: 'system', id: null }),
        status('solved', 'open', '2026-05-02T09:00:00Z'),
        status('open', 'pending', '2026-05-01T09:00:01Z'),
        status('pending', 'solved', '2026-05-01T18:00:00Z', { kind: 'rule', id: OTHER }),
        entry('reopened', '2026-05-01T20:00:00Z', undefined, { kind: 'customer', id: OTHER }),
      ],
      { rating: 'good', ratedAt: d('2026-05-04T10:00:00Z'), comment: ' Thanks! ' },
    );
    expect(row).toEqual({
      number: 7,
      ticketId: TICKET,
      inboxId: INBOX,
      teamId: TEAM,
      assigneeId: AGENT,
      categoryId: CATEGORY,
      priority: 'high',
      tags: ['vip', 'billing', 'é'],
      excluded: false,
      active: false,
      createdAt: ms('2026-05-01T08:00:00Z'),
      firstResponse: { at: ms('2026-05-01T09:00:00Z'), seconds: 3600, businessSeconds: 1800, sla: 'met' },
      resolution: { at: ms('2026-05-03T08:00:00Z'), seconds: 172_800, businessSeconds: 57_600, nextResponseSla: 'breached', resolutionSla: 'met', reopened: true },
      rating: { rating: 'good', at: ms('2026-05-04T10:00:00Z'), commented: true },
      events: [
        { at: ms('2026-05-01T09:00:00Z'), kinds: ROW_EVENT.reply, actorId: AGENT },
        // Only users are actors: a rule's solve, a customer's reopen and the SLA job's breach have none.
        { at: ms('2026-05-01T18:00:00Z'), kinds: ROW_EVENT.solve, actorId: null },
        { at: ms('2026-05-01T20:00:00Z'), kinds: ROW_EVENT.reopen, actorId: null },
        { at: ms('2026-05-02T09:00:00Z'), kinds: ROW_EVENT.reopen, actorId: AGENT },
        { at: ms('2026-05-02T12:00:00Z'), kinds: ROW_EVENT.breach, actorId: null },
        { at: ms('2026-05-03T08:00:00Z'), kinds: ROW_EVENT.solve, actorId: OTHER },
      ],
    });
  });

  it('makes a bare row for a ticket without metrics, priority, tags, trail or rating', () => {
    const row = reportRowOf(ticket({ teamId: null, assigneeId: null, categoryId: null, priority: null, tags: null, metrics: undefined }), [], null);
    expect(row).toMatchObject({ teamId: null, assigneeId: null, categoryId: null, priority: 'normal', tags: [], firstResponse: null, resolution: null, rating: null, events: [] });
    expect(reportRowOf(ticket({ priority: undefined, tags: undefined, metrics: {} }), [], null)).toMatchObject({ priority: 'normal', tags: [], firstResponse: null, resolution: null });
  });

  it('excludes merged tickets and spam, and marks the active statuses', () => {
    const of = (s: TicketStatus, merged = false) => reportRowOf(ticket({ status: s, merged }), [], null);
    const active = TICKET_STATUSES.filter((s) => of(s).active);
    expect(active).toEqual(['new', 'open', 'pending', 'with_partner']);
    expect(TICKET_STATUSES.filter((s) => of(s).excluded)).toEqual(['spam']);
    for (const s of TICKET_STATUSES) expect(of(s, true).excluded, s).toBe(true);
    // Merged, it is still in its status: excluded all the same.
    expect(of('open', true)).toMatchObject({ excluded: true, active: true });
  });

  it('gives NaN durations and null SLA parts where the metrics hold none (older data)', () => {
    const row = reportRowOf(
      ticket({
        metrics: {
          firstResponseAt: d('2026-05-01T09:00:00Z'),
          firstResponseSeconds: null,
          lastSolvedAt: d('2026-05-02T09:00:00Z'),
          resolutionBusinessSeconds: 600,
          sla: { nextResponse: 'met' },
        },
      }),
      [],
      null,
    );
    expect(row.firstResponse).toEqual({ at: ms('2026-05-01T09:00:00Z'), seconds: NaN, businessSeconds: NaN, sla: null });
    expect(Number.isNaN(row.firstResponse!.seconds)).toBe(true);
    expect(row.resolution).toEqual({ at: ms('2026-05-02T09:00:00Z'), seconds: NaN, businessSeconds: 600, nextResponseSla: 'met', resolutionSla: null, reopened: false });
    expect(Number.isNaN(row.resolution!.seconds)).toBe(true);
  });

  it('reads an unknown SLA value as null, and durations without their moment as no part at all', () => {
    const row = reportRowOf(ticket({ metrics: { firstResponseSeconds: 60, resolutionSeconds: 90, reopenCount: 3, sla: { firstResponse: 'late' as never, resolution: 'breached' } } }), [], null);
    expect(row.firstResponse).toBeNull();
    expect(row.resolution).toBeNull();
    const other = reportRowOf(ticket({ metrics: { firstResponseAt: d('2026-05-01T09:00:00Z'), sla: { firstResponse: 'late' as never } } }), [], null);
    expect(other.firstResponse?.sla).toBeNull();
  });

  it('marks the resolution reopened only when the ticket was reopened at least once', () => {
    const res = (reopenCount: number | undefined) => reportRowOf(ticket({ metrics: { lastSolvedAt: d('2026-05-02T09:00:00Z'), reopenCount } }), [], null).resolution?.reopened;
    expect([res(undefined), res(0), res(1), res(4)]).toEqual([false, false, true, true]);
  });

  it('keeps a rating only when it has a value and a moment, commented only for a non-blank comment', () => {
    const rating = (r: Parameters<typeof reportRowOf>[2]) => reportRowOf(ticket(), [], r).rating;
    const at = d('2026-05-04T10:00:00Z');
    expect(rating(null)).toBeNull();
    expect(rating({ rating: null, ratedAt: at, comment: 'hi' })).toBeNull();
    expect(rating({ rating: 'bad', ratedAt: null, comment: 'hi' })).toBeNull();
    expect(rating({ rating: 'bad', ratedAt: at, comment: null })).toEqual({ rating: 'bad', at: at.getTime(), commented: false });
    expect(rating({ rating: 'okay', ratedAt: at, comment: '' })).toEqual({ rating: 'okay', at: at.getTime(), commented: false });
    expect(rating({ rating: 'okay', ratedAt: at, comment: ' \n\t ' })?.commented).toBe(false);
    expect(rating({ rating: 'good', ratedAt: at, comment: 'ok' })?.commented).toBe(true);
  });

  it('drops trail entries without a valid moment and keeps the order of equal moments stable', () => {
    const row = reportRowOf(
      ticket(),
      [
        { type: 'reply_queued', at: new Date(NaN), actor: { kind: 'user', id: AGENT }, data: undefined },
        entry('reply_queued', '2026-05-02T10:00:00Z', undefined, { kind: 'user', id: OTHER }),
        entry('reply_queued', '2026-05-02T10:00:00Z', undefined, { kind: 'user', id: AGENT }),
        entry('reply_queued', '2026-05-02T10:00:00Z', undefined, { kind: 'user', id: null }),
      ],
      null,
    );
    expect(row.events).toEqual([
      { at: ms('2026-05-02T10:00:00Z'), kinds: ROW_EVENT.reply, actorId: OTHER },
      { at: ms('2026-05-02T10:00:00Z'), kinds: ROW_EVENT.reply, actorId: AGENT },
      { at: ms('2026-05-02T10:00:00Z'), kinds: ROW_EVENT.reply, actorId: null },
    ]);
  });

  it('does not share the ticket’s tag array', () => {
    const tags = ['a'];
    const row = reportRowOf(ticket({ tags }), [], null);
    tags.push('b');
    expect(row.tags).toEqual(['a']);
  });
});

const baseRow = (over: Partial<ReportRow> = {}): ReportRow => ({
  number: 1,
  ticketId: TICKET,
  inboxId: INBOX,
  teamId: TEAM,
  assigneeId: AGENT,
  categoryId: CATEGORY,
  priority: 'high',
  tags: ['vip', 'billing'],
  excluded: false,
  active: true,
  createdAt: ms('2026-05-01T08:00:00Z'),
  firstResponse: null,
  resolution: null,
  rating: null,
  events: [],
  ...over,
});
const anyScope: ReportRowScope = { inboxIds: null, teamIds: null, assigneeId: null, categoryId: null, priority: null, tag: null };
const scope = (over: Partial<ReportRowScope>): ReportRowScope => ({ ...anyScope, ...over });

describe('rowInScope', () => {
  it('takes every row that is not excluded when nothing is filtered', () => {
    expect(rowInScope(baseRow(), anyScope)).toBe(true);
    expect(rowInScope(baseRow({ teamId: null, assigneeId: null, categoryId: null, tags: [] }), anyScope)).toBe(true);
  });

  it('never takes an excluded row', () => {
    expect(rowInScope(baseRow({ excluded: true }), anyScope)).toBe(false);
    expect(rowInScope(baseRow({ excluded: true }), scope({ inboxIds: [INBOX], teamIds: [TEAM], assigneeId: AGENT, categoryId: CATEGORY, priority: 'high', tag: 'vip' }))).toBe(false);
  });

  it('filters on inboxes', () => {
    expect(rowInScope(baseRow(), scope({ inboxIds: [INBOX2, INBOX] }))).toBe(true);
    expect(rowInScope(baseRow(), scope({ inboxIds: [INBOX2] }))).toBe(false);
    expect(rowInScope(baseRow(), scope({ inboxIds: [] }))).toBe(false);
  });

  it('filters on teams: an empty list matches nothing, and a row without a team is outside any team filter', () => {
    expect(rowInScope(baseRow(), scope({ teamIds: [TEAM2, TEAM] }))).toBe(true);
    expect(rowInScope(baseRow(), scope({ teamIds: [TEAM2] }))).toBe(false);
    expect(rowInScope(baseRow(), scope({ teamIds: [] }))).toBe(false);
    expect(rowInScope(baseRow({ teamId: null }), scope({ teamIds: [] }))).toBe(false);
    expect(rowInScope(baseRow({ teamId: null }), scope({ teamIds: [TEAM] }))).toBe(false);
    expect(rowInScope(baseRow({ teamId: null }), scope({ teamIds: null }))).toBe(true);
  });

  it('filters on the assignee, the category, the priority and a tag', () => {
    expect(rowInScope(baseRow(), scope({ assigneeId: AGENT }))).toBe(true);
    expect(rowInScope(baseRow(), scope({ assigneeId: OTHER }))).toBe(false);
    expect(rowInScope(baseRow({ assigneeId: null }), scope({ assigneeId: AGENT }))).toBe(false);
    expect(rowInScope(baseRow(), scope({ categoryId: CATEGORY }))).toBe(true);
    expect(rowInScope(baseRow(), scope({ categoryId: OTHER }))).toBe(false);
    expect(rowInScope(baseRow({ categoryId: null }), scope({ categoryId: CATEGORY }))).toBe(false);
    expect(rowInScope(baseRow(), scope({ priority: 'high' }))).toBe(true);
    expect(rowInScope(baseRow(), scope({ priority: 'low' }))).toBe(false);
    expect(rowInScope(baseRow(), scope({ tag: 'billing' }))).toBe(true);
    expect(rowInScope(baseRow(), scope({ tag: 'vi' }))).toBe(false);
    expect(rowInScope(baseRow({ tags: [] }), scope({ tag: 'vip' }))).toBe(false);
  });

  it('needs every criterion at once', () => {
    const all = scope({ inboxIds: [INBOX], teamIds: [TEAM], assigneeId: AGENT, categoryId: CATEGORY, priority: 'high', tag: 'vip' });
    expect(rowInScope(baseRow(), all)).toBe(true);
    expect(rowInScope(baseRow({ priority: 'urgent' }), all)).toBe(false);
    expect(rowInScope(baseRow({ tags: ['billing'] }), all)).toBe(false);
    expect(rowInScope(baseRow({ inboxId: INBOX2 }), all)).toBe(false);
  });
});

describe('rowLastFactAt', () => {
  it('is the creation for a row with nothing else', () => {
    expect(rowLastFactAt(baseRow())).toBe(ms('2026-05-01T08:00:00Z'));
  });

  it('is the latest of creation, first response, resolution, rating and events, whichever it is', () => {
    const facts = {
      firstResponse: { at: ms('2026-05-02T00:00:00Z'), seconds: 1, businessSeconds: 1, sla: null },
      resolution: { at: ms('2026-05-03T00:00:00Z'), seconds: 1, businessSeconds: 1, nextResponseSla: null, resolutionSla: null, reopened: false },
      rating: { rating: 'good' as const, at: ms('2026-05-04T00:00:00Z'), commented: false },
      events: [
        { at: ms('2026-05-05T00:00:00Z'), kinds: ROW_EVENT.reply, actorId: null },
        { at: ms('2026-05-01T12:00:00Z'), kinds: ROW_EVENT.solve, actorId: null },
      ],
    };
    expect(rowLastFactAt(baseRow(facts))).toBe(ms('2026-05-05T00:00:00Z'));
    expect(rowLastFactAt(baseRow({ ...facts, events: [] }))).toBe(ms('2026-05-04T00:00:00Z'));
    expect(rowLastFactAt(baseRow({ ...facts, events: [], rating: null }))).toBe(ms('2026-05-03T00:00:00Z'));
    expect(rowLastFactAt(baseRow({ firstResponse: facts.firstResponse }))).toBe(ms('2026-05-02T00:00:00Z'));
    // Facts before creation (clock skew) do not pull it back.
    expect(rowLastFactAt(baseRow({ events: [{ at: ms('2026-04-01T00:00:00Z'), kinds: ROW_EVENT.breach, actorId: null }] }))).toBe(ms('2026-05-01T08:00:00Z'));
  });
});
