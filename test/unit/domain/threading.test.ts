import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ourMessageId, ticketNumberFromMessageId } from '../../../src/domain/message-ids.js';
import { decideThread, type ThreadCandidate } from '../../../src/domain/thread-decision.js';
import { baseSubject, looksLikeReply, referencedIds, subjectWithToken, threadKeysOf, ticketTokenIn } from '../../../src/domain/threading.js';

const sign = (v: string) => createHmac('sha256', 'k'.repeat(32)).update(v).digest('hex');
const now = new Date('2026-11-21T12:00:00Z');
const ticket = (over: Partial<ThreadCandidate> = {}): ThreadCandidate => ({
  ticketId: 't1', number: 1, inboxId: 'in-a', status: 'open', closedAt: null, participants: ['ann@example.com'], ...over,
});
const base = { inboxIds: ['in-a'], linked: [], tokenTicket: null, subjectTicket: null, sender: 'ann@example.com', now, reopenClosedWithinSeconds: 30 * 86400 };

describe('referencedIds / threadKeysOf', () => {
  it('drops the own id (reference loop) and duplicates, keeping order', () => {
    expect(referencedIds({ messageId: 'c@x', references: ['a@x', 'b@x', 'A@x', 'c@x'], inReplyTo: ['b@x'] })).toEqual(['a@x', 'b@x']);
  });
  it('caps an absurd References header to the newest hundred', () => {
    const refs = Array.from({ length: 500 }, (_, i) => `${i}@x`);
    const ids = referencedIds({ messageId: null, references: refs, inReplyTo: [] });
    expect(ids).toHaveLength(100);
    expect(ids.at(-1)).toBe('499@x');
  });
  it('includes the own id, lower-cased, for matching', () => {
    expect(threadKeysOf({ messageId: 'Own@X', references: ['P@x'], inReplyTo: [] })).toEqual(['p@x', 'own@x']);
  });
});

describe('subjects', () => {
  it('strips reply prefixes in many languages, list tags and our token', () => {
    expect(baseSubject('Re: AW: [fedora-devel] RE: Fwd: Broken build [#42]')).toBe('broken build');
    expect(baseSubject('SV: Re[2]: Hello   world (fwd)')).toBe('hello world');
    expect(baseSubject('Rebuild of X')).toBe('rebuild of x');
  });
  it('recognises replies and tokens', () => {
    expect(looksLikeReply('[list] Re: x')).toBe(true);
    expect(looksLikeReply('Reboot needed')).toBe(false);
    expect(ticketTokenIn('Re: Printer [#1234] jammed')).toBe(1234);
    expect(ticketTokenIn('Printer #1234')).toBeNull();
    expect(subjectWithToken('Re: Printer [#12]', 12)).toBe('Re: Printer [#12]');
    expect(subjectWithToken('Printer', 12)).toBe('Printer [#12]');
  });
});

describe('our Message-IDs', () => {
  it('encode the ticket number and verify their signature', () => {
    const id = ourMessageId(1234, 'abc123', 'help.example.com', sign);
    expect(id).toMatch(/^tl\.1234\.abc123\.[0-9a-f]{10}@help\.example\.com$/);
    expect(ticketNumberFromMessageId(id, sign)).toBe(1234);
    expect(ticketNumberFromMessageId(id.replace('tl.1234', 'tl.1235'), sign)).toBeNull();
    expect(ticketNumberFromMessageId('random@example.com', sign)).toBeNull();
  });
});

describe('decideThread', () => {
  it('opens a new ticket when nothing links', () => {
    expect(decideThread(base)).toMatchObject({ kind: 'new', linkedTo: null });
  });
  it('joins the oldest linked ticket and merges the others into it', () => {
    const d = decideThread({ ...base, linked: [ticket({ ticketId: 't9', number: 9 }), ticket({ ticketId: 't3', number: 3 }), ticket({ ticketId: 't9', number: 9 })] });
    expect(d).toEqual({ kind: 'join', ticketId: 't3', status: 'open', mergeFrom: ['t9'], related: [], reopen: false, reason: 'references' });
  });
  it('reopens a solved ticket and a recently closed one', () => {
    expect(decideThread({ ...base, linked: [ticket({ status: 'solved' })] })).toMatchObject({ kind: 'join', reopen: true });
    const closed = ticket({ status: 'closed', closedAt: new Date(now.getTime() - 86400_000) });
    expect(decideThread({ ...base, linked: [closed] })).toMatchObject({ kind: 'join', reopen: true });
  });
  it('starts a linked new ticket for a reply to a ticket closed long ago', () => {
    const closed = ticket({ status: 'closed', closedAt: new Date(now.getTime() - 60 * 86400_000) });
    expect(decideThread({ ...base, linked: [closed] })).toMatchObject({ kind: 'new', linkedTo: 't1' });
  });
  it('accepts a subject token only from a participant', () => {
    expect(decideThread({ ...base, tokenTicket: ticket() })).toMatchObject({ kind: 'join', ticketId: 't1', reason: 'subject token' });
    expect(decideThread({ ...base, sender: 'mallory@evil.test', tokenTicket: ticket() })).toMatchObject({ kind: 'new', reason: expect.stringMatching(/non-participant/) });
  });
  it('never merges on subject alone across requesters', () => {
    expect(decideThread({ ...base, sender: 'bob@example.com', subjectTicket: ticket() })).toMatchObject({ kind: 'new' });
    expect(decideThread({ ...base, subjectTicket: ticket() })).toMatchObject({ kind: 'join', reason: 'subject' });
  });

  describe('across inboxes (regression: automatic merges never cross inboxes)', () => {
    const inB = (over: Partial<ThreadCandidate> = {}) => ticket({ ticketId: 'b1', number: 1, inboxId: 'in-b', ...over });
    it('joins the linked ticket of its own inbox, even a newer one, and only relates the other inbox’s', () => {
      const d = decideThread({ ...base, linked: [inB(), ticket({ ticketId: 'a5', number: 5 }), ticket({ ticketId: 'a7', number: 7 })] });
      expect(d).toEqual({ kind: 'join', ticketId: 'a5', status: 'open', mergeFrom: ['a7'], related: ['b1'], reopen: false, reason: 'references' });
    });
    it('starts a new ticket related to a ticket of another inbox that is its only link', () => {
      expect(decideThread({ ...base, linked: [inB(), inB()] })).toMatchObject({ kind: 'new', linkedTo: null, related: ['b1'] });
    });
    it('with two of our inboxes addressed, joins the oldest ticket among them and merges only within its inbox', () => {
      const d = decideThread({ ...base, inboxIds: ['in-a', 'in-b'], linked: [ticket({ ticketId: 'a5', number: 5 }), inB(), inB({ ticketId: 'b9', number: 9 }), ticket({ ticketId: 'c2', number: 2, inboxId: 'in-c' })] });
      expect(d).toMatchObject({ kind: 'join', ticketId: 'b1', mergeFrom: ['b9'], related: ['a5', 'c2'] });
    });
    it('never joins a ticket of another inbox by subject token or subject, and relates a token only for a participant', () => {
      expect(decideThread({ ...base, tokenTicket: inB() })).toMatchObject({ kind: 'new', related: ['b1'] });
      expect(decideThread({ ...base, sender: 'mallory@evil.test', tokenTicket: inB() })).toMatchObject({ kind: 'new', related: [] });
      expect(decideThread({ ...base, tokenTicket: inB(), subjectTicket: ticket({ ticketId: 'a3' }) })).toMatchObject({ kind: 'join', ticketId: 'a3', related: ['b1'] });
      expect(decideThread({ ...base, subjectTicket: inB() })).toMatchObject({ kind: 'new', related: [] });
    });
  });
});
