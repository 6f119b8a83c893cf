import { describe, expect, it } from 'vitest';
import {
  checkChangeable,
  checkMerge,
  checkReplyable,
  checkReplyBody,
  normalizeTags,
  onAgentReply,
  onCustomerReply,
  onMerge,
  sameTags,
  startsFollowUp,
  survivorAwaitingSince,
  transition,
  type MergeSide,
  type TicketStatusState,
} from '../../../src/domain/ticket.js';
import { TICKET_STATUSES, type TicketStatus } from '../../../src/domain/ticket-status.js';

const at = new Date('2026-11-21T12:00:00Z');
const earlier = new Date('2026-11-20T09:00:00Z');
const before = new Date('2026-11-19T09:00:00Z');

/** A ticket in `status` with the timestamps the status rule leaves on it. */
function ticket(status: TicketStatus, over: Partial<TicketStatusState> = {}): TicketStatusState {
  return { status, solvedAt: status === 'solved' || status === 'closed' ? before : null, closedAt: status === 'closed' ? earlier : null, ...over };
}

describe('transition: one rule for status and its timestamps', () => {
  it('entering solved sets solvedAt and clears closedAt', () => {
    expect(transition(ticket('open'), 'solved', at)).toEqual({ status: 'solved', solvedAt: at, closedAt: null });
    expect(transition(ticket('closed'), 'solved', at)).toEqual({ status: 'solved', solvedAt: at, closedAt: null });
  });

  it('entering closed sets closedAt and keeps solvedAt', () => {
    expect(transition(ticket('solved'), 'closed', at)).toEqual({ status: 'closed', solvedAt: before, closedAt: at });
    expect(transition(ticket('open'), 'closed', at)).toEqual({ status: 'closed', solvedAt: null, closedAt: at });
    expect(transition({ status: 'pending' }, 'closed', at)).toEqual({ status: 'closed', solvedAt: null, closedAt: at });
  });

  it('entering new, open or pending clears both', () => {
    for (const to of ['new', 'open', 'pending'] as const) {
      for (const from of ['solved', 'closed'] as const) {
        expect(transition(ticket(from), to, at)).toEqual({ status: to, solvedAt: null, closedAt: null, ...(to === 'pending' ? { pendingSince: at } : {}) });
      }
    }
  });

  it('entering pending records when the ticket started waiting on the customer', () => {
    expect(transition(ticket('open'), 'pending', at)).toMatchObject({ status: 'pending', pendingSince: at });
    expect(transition(ticket('pending'), 'pending', at)).toBeNull();
  });

  it('a status that does not change changes nothing', () => {
    for (const status of TICKET_STATUSES) expect(transition(ticket(status), status, at)).toBeNull();
  });

  it('never leaves closedAt on a ticket that is not closed, nor solvedAt on one neither solved nor closed', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES) {
        const next = transition(ticket(from), to, at);
        if (!next) continue;
        expect(next.closedAt !== null).toBe(to === 'closed');
        if (to !== 'solved' && to !== 'closed') expect(next.solvedAt).toBeNull();
      }
    }
  });
});

describe('onCustomerReply: the reopen rules', () => {
  const reply = { automated: false, continuesConversation: true };

  it('reopens a solved or closed ticket, clearing both timestamps', () => {
    expect(onCustomerReply(ticket('solved'), at, reply)).toEqual({ kind: 'reopen', from: 'solved', change: { status: 'open', solvedAt: null, closedAt: null } });
    expect(onCustomerReply(ticket('closed'), at, reply)).toEqual({ kind: 'reopen', from: 'closed', change: { status: 'open', solvedAt: null, closedAt: null } });
  });

  it('makes a pending ticket open again', () => {
    expect(onCustomerReply(ticket('pending'), at, reply)).toEqual({ kind: 'wake', from: 'pending', change: { status: 'open', solvedAt: null, closedAt: null } });
  });

  it('leaves new and open tickets alone', () => {
    expect(onCustomerReply(ticket('new'), at, reply)).toBeNull();
    expect(onCustomerReply(ticket('open'), at, reply)).toBeNull();
  });

  it('an automatic answer (out-of-office) wakes nothing', () => {
    for (const status of TICKET_STATUSES) expect(onCustomerReply(ticket(status), at, { ...reply, automated: true })).toBeNull();
  });

  it('the mail that opened a ticket reopens nothing, but still wakes a pending one', () => {
    const opening = { automated: false, continuesConversation: false };
    expect(onCustomerReply(ticket('solved'), at, opening)).toBeNull();
    expect(onCustomerReply(ticket('closed'), at, opening)).toBeNull();
    expect(onCustomerReply(ticket('pending'), at, opening)).toMatchObject({ kind: 'wake' });
  });
});

describe('startsFollowUp: a reply to a ticket closed too long ago opens a new one', () => {
  const window = 14 * 86400;
  it('only for closed tickets, past the window', () => {
    expect(startsFollowUp({ status: 'closed', closedAt: new Date(at.getTime() - (window + 1) * 1000) }, at, window)).toBe(true);
    expect(startsFollowUp({ status: 'closed', closedAt: new Date(at.getTime() - window * 1000) }, at, window)).toBe(false);
    expect(startsFollowUp({ status: 'solved', closedAt: null }, at, window)).toBe(false);
    expect(startsFollowUp({ status: 'open', closedAt: new Date(0) }, at, window)).toBe(false);
  });

  it('a closed ticket without a closing time counts as closed forever', () => {
    expect(startsFollowUp({ status: 'closed', closedAt: null }, at, window)).toBe(true);
  });
});

describe('onAgentReply', () => {
  it('leaves the ticket pending by default, stops the next-response clock and records the first response once', () => {
    expect(onAgentReply(ticket('open'), at)).toEqual({
      changes: { status: 'pending', solvedAt: null, closedAt: null, pendingSince: at, lastActivityAt: at, sla: { awaitingSince: null, firstRespondedAt: at } },
      statusChanged: { from: 'open', to: 'pending' },
    });
    const answered = onAgentReply({ ...ticket('open'), sla: { firstRespondedAt: earlier, awaitingSince: earlier } }, at, 'open');
    expect(answered).toEqual({ changes: { lastActivityAt: at, sla: { awaitingSince: null } }, statusChanged: null });
  });

  it('follows the status rule: regression, a reply that moves a closed or solved ticket on clears its timestamps', () => {
    expect(onAgentReply(ticket('closed'), at, 'pending').changes).toMatchObject({ status: 'pending', solvedAt: null, closedAt: null });
    expect(onAgentReply(ticket('solved'), at, 'open').changes).toMatchObject({ status: 'open', solvedAt: null, closedAt: null });
    expect(onAgentReply(ticket('closed'), at, 'solved').changes).toMatchObject({ status: 'solved', solvedAt: at, closedAt: null });
  });

  it('a reply that keeps a solved ticket solved does not move solvedAt', () => {
    const { changes, statusChanged } = onAgentReply(ticket('solved'), at, 'solved');
    expect(statusChanged).toBeNull();
    expect(changes).not.toHaveProperty('solvedAt');
    expect(changes).not.toHaveProperty('status');
  });
});

describe('reply and change rules', () => {
  it('a reply needs text or HTML', () => {
    expect(() => checkReplyBody('  ', null)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'text', message: 'is required', code: 'custom', key: 'errors:issue.required' }] } }));
    expect(() => checkReplyBody('', ' <p> ')).not.toThrow();
    expect(() => checkReplyBody('Hi', undefined)).not.toThrow();
  });

  it('a merged ticket takes no reply (as if it did not exist) and no change (CONFLICT)', () => {
    expect(() => checkReplyable({ mergedIntoId: 'x' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => checkChangeable({ mergedIntoId: 'x' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => checkReplyable({ mergedIntoId: null })).not.toThrow();
    expect(() => checkChangeable({})).not.toThrow();
  });

  it('tags are kept lower-case, once each, sorted; order does not make them differ', () => {
    expect(normalizeTags(['VIP', 'billing', 'vip', 'Billing'])).toEqual(['billing', 'vip']);
    expect(sameTags(['b', 'a'], ['a', 'b'])).toBe(true);
    expect(sameTags(['a'], ['a', 'b'])).toBe(false);
  });
});

describe('merge rules', () => {
  const side = (id: string, over: Partial<MergeSide> = {}): MergeSide => ({ id, requesterEmail: 'ann@customer.test', mergedIntoId: null, ...over });

  it('takes two different tickets of the same requester, neither merged elsewhere', () => {
    expect(() => checkMerge(side('a'), side('b'))).not.toThrow();
    // A retried merge of the same pair converges.
    expect(() => checkMerge(side('a', { mergedIntoId: 'b' }), side('b'))).not.toThrow();
  });

  it('refuses the ticket itself and another requester on intoId, and a ticket merged elsewhere as a conflict', () => {
    expect(() => checkMerge(side('a'), side('a'))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'intoId', message: 'is this ticket itself', code: 'custom', key: 'errors:issue.merge.self' }] } }));
    expect(() => checkMerge(side('a'), side('b', { requesterEmail: 'bob@customer.test' }))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', message: 'Merge is invalid: intoId: belongs to another requester' }));
    expect(() => checkMerge(side('a'), side('b', { mergedIntoId: 'c' }))).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => checkMerge(side('a', { mergedIntoId: 'c' }), side('b'))).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('closes the merged ticket under the status rule; one closed before keeps its closing time', () => {
    expect(onMerge(ticket('solved'), at)).toEqual({ status: 'closed', solvedAt: before, closedAt: at });
    expect(onMerge(ticket('open'), at)).toEqual({ status: 'closed', solvedAt: null, closedAt: at });
    expect(onMerge(ticket('closed'), at)).toEqual({ status: 'closed', solvedAt: before, closedAt: earlier });
    expect(onMerge({ status: 'closed' }, at)).toEqual({ status: 'closed', solvedAt: null, closedAt: at });
  });

  it("keeps the survivor's next-response clock on the older unanswered mail", () => {
    expect(survivorAwaitingSince({ sla: { awaitingSince: before } }, { sla: { awaitingSince: earlier } })).toEqual(before);
    expect(survivorAwaitingSince({ sla: { awaitingSince: earlier } }, { sla: { awaitingSince: before } })).toBeNull();
    expect(survivorAwaitingSince({ sla: { awaitingSince: earlier } }, { sla: null })).toEqual(earlier);
    expect(survivorAwaitingSince({ sla: { awaitingSince: null } }, {})).toBeNull();
  });
});
