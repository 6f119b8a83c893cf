import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { notificationReplyAddress, notificationTagIn, tagRecipientsOf } from '../../../src/domain/notification-reply.js';

const sign = (value: string) => createHmac('sha256', 'test key').update(value).digest('hex');
const otherKey = (value: string) => createHmac('sha256', 'another key').update(value).digest('hex');
const id = '65f0c0ffee0000000000abcd';
const own = new Set(['support@acme.example', 'sales@acme.example']);

describe('notificationTagIn', () => {
  it('finds a validly signed tag on any of our addresses, whatever the case', () => {
    const tagged = notificationReplyAddress('support@acme.example', id, sign);
    expect(notificationTagIn(['ada@acme.example', tagged.toUpperCase()], own, sign)).toEqual({ kind: 'signed', notificationId: id, address: tagged });
  });

  it('calls a tag of the right shape with a bad signature forged, and prefers a signed one', () => {
    const forged = notificationReplyAddress('support@acme.example', id, otherKey);
    const good = notificationReplyAddress('sales@acme.example', id, sign);
    expect(notificationTagIn([forged], own, sign)).toEqual({ kind: 'forged', address: forged });
    expect(notificationTagIn([forged, good], own, sign)).toMatchObject({ kind: 'signed', notificationId: id });
  });

  it('ignores plain addresses, other sub-addresses, and tags on addresses that are not ours', () => {
    expect(notificationTagIn(['support@acme.example', 'support+billing@acme.example'], own, sign)).toBeNull();
    expect(notificationTagIn([notificationReplyAddress('support@elsewhere.example', id, sign)], own, sign)).toBeNull();
  });
});

describe('tagRecipientsOf', () => {
  it('reads To, Cc, Delivered-To and X-Original-To', () => {
    const mail = {
      to: [{ address: 'a@acme.example', name: null }],
      cc: [{ address: 'b@acme.example', name: null }],
      headers: { 'delivered-to': ['c@acme.example'], 'x-original-to': ['<d@acme.example>'] },
    };
    expect(tagRecipientsOf(mail)).toEqual(['a@acme.example', 'b@acme.example', 'c@acme.example', 'd@acme.example']);
  });
});
