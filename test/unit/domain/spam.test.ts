import { describe, expect, it } from 'vitest';
import { planTicketUpdate } from '../../../src/domain/ingest-plan.js';
import { blockKeysOf, domainOf, isPublicMailDomain, spamBlockFor, statusAfterSpam } from '../../../src/domain/spam.js';
import { slaNextDueAt } from '../../../src/domain/sla-due.js';
import { appErrorOf } from '../../helpers/app-error.js';

describe('spam block list entries', () => {
  it('blocks the sender as their lower-case address, or their domain', () => {
    expect(spamBlockFor(' Mallory@Spam.Example ', 'sender')).toEqual({ kind: 'sender', value: 'mallory@spam.example' });
    expect(spamBlockFor('mallory@Spam.Example', 'domain')).toEqual({ kind: 'domain', value: 'spam.example' });
    expect(spamBlockFor('mallory@spam.example', 'none')).toBeNull();
  });

  it('refuses to block a public mail provider whole, naming `block`, and still blocks one of its senders', () => {
    for (const email of ['someone@gmail.com', 'someone@Outlook.com', 'quelqu.un@orange.fr']) {
      const err = appErrorOf(() => spamBlockFor(email, 'domain'));
      expect(err.code, email).toBe('VALIDATION_FAILED');
      expect((err.details?.issues as Array<{ path: string; key: string }>).map((i) => [i.path, i.key]), email).toEqual([['block', 'errors:issue.spam.publicDomain']]);
    }
    expect(spamBlockFor('someone@gmail.com', 'sender')).toEqual({ kind: 'sender', value: 'someone@gmail.com' });
    expect(isPublicMailDomain('GMAIL.COM')).toBe(true);
    expect(isPublicMailDomain('acme.example')).toBe(false);
  });

  it('checks mail against the address and its domain, and knows an address without a domain', () => {
    expect(blockKeysOf('Ann@Customer.Test')).toEqual(['ann@customer.test', 'customer.test']);
    expect(domainOf('no-domain')).toBeNull();
    expect(blockKeysOf('no-domain')).toEqual(['no-domain']);
  });

  it('brings a ticket back to its status before, or `new` when it came straight into Spam', () => {
    expect(statusAfterSpam({ from: 'pending' })).toBe('pending');
    expect(statusAfterSpam({ from: 'spam' })).toBe('new');
    expect(statusAfterSpam(null)).toBe('new');
  });

  it('runs no SLA clock while in Spam', () => {
    expect(slaNextDueAt({ status: 'spam', sla: { firstResponseDueAt: new Date('2026-11-21T10:00:00Z') } })).toBeNull();
  });
});

describe('ingest plan for quiet mail', () => {
  const base = {
    ticketId: 't1', messageDocId: 'm1', inboxId: 'i1', mail: { from: { address: 'mallory@spam.example', name: null }, subject: 'Buy now' },
    facts: { autoReason: null, capped: null }, related: [], at: new Date('2026-11-21T09:00:00Z'),
  };

  it('a blocked sender opening a ticket: in Spam on the trail, nothing acknowledged, nobody told, no clock', () => {
    const plan = planTicketUpdate({ ...base, joined: false, ticket: { status: 'spam', created: true, linkedTicketIds: [] }, blocked: { kind: 'domain', value: 'spam.example' } });
    expect(plan.events.map((e) => e.type)).toEqual(['created', 'marked_spam', 'message_received']);
    expect(plan.events[1]).toMatchObject({ actor: { kind: 'system' }, data: { reason: 'blocked', block: { kind: 'domain', value: 'spam.example' } } });
    expect(plan.followUp).toEqual({ ticketId: 't1', awaitingReply: false, openedBy: null });
    expect(plan.set).toEqual({});
  });

  it('a blocked sender replying to a solved ticket: threaded, but it reopens and tells nothing', () => {
    const plan = planTicketUpdate({ ...base, joined: true, ticket: { status: 'solved', created: false, linkedTicketIds: [] }, blocked: { kind: 'sender', value: 'mallory@spam.example' } });
    expect(plan.set).toEqual({});
    expect(plan.events.map((e) => e.type)).toEqual(['message_received']);
    expect(plan.events[0]!.data.blocked).toEqual({ kind: 'sender', value: 'mallory@spam.example' });
    expect(plan.followUp.replies).toBeUndefined();
  });

  it('anyone writing on a ticket in Spam leaves it there, untold', () => {
    const plan = planTicketUpdate({ ...base, joined: true, ticket: { status: 'spam', created: false, linkedTicketIds: [] } });
    expect(plan.set).toEqual({});
    expect(plan.followUp).toEqual({ ticketId: 't1', awaitingReply: false, openedBy: null });
  });
});
