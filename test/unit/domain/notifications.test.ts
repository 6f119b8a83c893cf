import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { notificationOfReplyAddress, notificationReplyAddress } from '../../../src/domain/notification-reply.js';
import { defaultNotificationMail, NOTIFICATION_KINDS, nextNotificationMailAt, wantsNotificationMail } from '../../../src/domain/notifications.js';

const sign = (value: string) => createHmac('sha256', 'test key').update(value).digest('hex');
const otherSign = (value: string) => createHmac('sha256', 'another key').update(value).digest('hex');

describe('notification preferences', () => {
  it('mails every kind by default, except new team tickets in a team of more than five', () => {
    for (const kind of NOTIFICATION_KINDS.filter((k) => k !== 'team_new_ticket')) expect(defaultNotificationMail(kind), kind).toBe(true);
    expect(defaultNotificationMail('team_new_ticket', { teamSize: 5 })).toBe(true);
    expect(defaultNotificationMail('team_new_ticket', { teamSize: 6 })).toBe(false);
  });

  it('follows the person’s choice over the default, and the default for null or a kind left out', () => {
    expect(wantsNotificationMail({ assigned: false }, 'assigned')).toBe(false);
    expect(wantsNotificationMail({ team_new_ticket: true }, 'team_new_ticket', { teamSize: 40 })).toBe(true);
    expect(wantsNotificationMail({ assigned: null }, 'assigned')).toBe(true);
    expect(wantsNotificationMail(undefined, 'team_new_ticket', { teamSize: 12 })).toBe(false);
  });
});

describe('when a batch of notifications is mailed', () => {
  const t0 = new Date('2026-03-02T10:00:00Z');
  it('waits the collect delay after the oldest, and the 15-minute window after the last mail of the kind', () => {
    expect(nextNotificationMailAt({ oldestPendingAt: t0, lastMailedAt: null })).toEqual(new Date('2026-03-02T10:00:10Z'));
    expect(nextNotificationMailAt({ oldestPendingAt: t0, lastMailedAt: new Date('2026-03-02T09:55:00Z') })).toEqual(new Date('2026-03-02T10:10:00Z'));
    expect(nextNotificationMailAt({ oldestPendingAt: t0, lastMailedAt: new Date('2026-03-02T09:00:00Z') })).toEqual(new Date('2026-03-02T10:00:10Z'));
  });
});

describe('the signed Reply-To of a notification mail', () => {
  const id = '6b15590ae475b67010db9d39';
  it('is the inbox address with a signed sub-address that names the notification, under 64 characters before the @', () => {
    const address = notificationReplyAddress('support@acme.example', id, sign);
    expect(address).toMatch(/^support\+n6b15590ae475b67010db9d39[a-z0-9]{10}@acme\.example$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(notificationOfReplyAddress(address, 'support@acme.example', sign)).toBe(id);
    expect(notificationOfReplyAddress(address.toUpperCase(), 'Support@ACME.example', sign)).toBe(id);
  });

  it('refuses a tag signed with another key, another notification’s tag, another inbox and the plain address', () => {
    const address = notificationReplyAddress('support@acme.example', id, sign);
    expect(notificationOfReplyAddress(address, 'support@acme.example', otherSign)).toBeNull();
    const swapped = address.replace(id, '6b15590ae475b67010db9d40');
    expect(notificationOfReplyAddress(swapped, 'support@acme.example', sign)).toBeNull();
    expect(notificationOfReplyAddress(address, 'sales@acme.example', sign)).toBeNull();
    expect(notificationOfReplyAddress(address.replace('acme.example', 'evil.example'), 'support@acme.example', sign)).toBeNull();
    expect(notificationOfReplyAddress('support@acme.example', 'support@acme.example', sign)).toBeNull();
    expect(notificationOfReplyAddress('support+billing@acme.example', 'support@acme.example', sign)).toBeNull();
  });
});
