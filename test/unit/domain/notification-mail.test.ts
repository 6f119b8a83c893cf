import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isValidMessageId } from '../../../src/domain/mail-headers.js';
import { ticketNumberFromMessageId } from '../../../src/domain/message-ids.js';
import {
  isSlaNotification,
  minutesLeft,
  notificationDedupeKey,
  notificationDetails,
  notificationMailShape,
  notificationThreadRoot,
  summaryOrder,
  ticketPageUrl,
} from '../../../src/domain/notification-mail.js';
import type { NotificationKind } from '../../../src/domain/notifications.js';

const sign = (v: string) => `sig-${v}`.padEnd(12, 'x');

describe('notification mail decisions', () => {
  it('mails a batch about one ticket as that ticket’s mail, about several as a summary', () => {
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    expect(notificationMailShape([{ ticketId: a }])).toBe('ticket');
    expect(notificationMailShape([{ ticketId: a }, { ticketId: new Types.ObjectId(a.toHexString()) }])).toBe('ticket');
    expect(notificationMailShape([{ ticketId: a }, { ticketId: b }])).toBe('summary');
  });

  it('threads every notification of a ticket under one root that names no ticket number', () => {
    const id = '65F1C0DE0000000000000123';
    const root = notificationThreadRoot(id, 'Support@Help.Example.test');
    expect(root).toBe('tl-notify.65f1c0de0000000000000123@help.example.test');
    expect(isValidMessageId(root)).toBe(true);
    expect(ticketNumberFromMessageId(root, sign)).toBeNull();
    expect(notificationThreadRoot(id, 'support@other.test')).not.toBe(root);
  });

  it('keys a batch’s mail by the batch, so sending it again is the same mail', () => {
    expect(notificationDedupeKey('abc')).toBe(notificationDedupeKey('abc'));
    expect(notificationDedupeKey('abc')).not.toBe(notificationDedupeKey('abd'));
  });

  it('links the ticket page by id under the /tickets base, with or without its slash', () => {
    expect(ticketPageUrl('https://desk.test/tickets/', '65f1c0de0000000000000123')).toBe('https://desk.test/tickets/65f1c0de0000000000000123');
    expect(ticketPageUrl('https://desk.test/tickets', 'abc')).toBe('https://desk.test/tickets/abc');
    expect(ticketPageUrl(null, 'abc')).toBeNull();
  });

  it('counts whole minutes left, never below zero', () => {
    const now = new Date('2026-03-03T13:00:00Z');
    expect(minutesLeft(new Date('2026-03-03T13:14:40Z'), now)).toBe(15);
    expect(minutesLeft(new Date('2026-03-03T12:00:00Z'), now)).toBe(0);
    expect(minutesLeft(null, now)).toBe(0);
  });

  it('reads stored data defensively: names from a string or { name, email }, dates from Date or ISO, wrong types as null', () => {
    expect(notificationDetails({ by: { name: 'Ada' } }).by).toBe('Ada');
    expect(notificationDetails({ by: { email: 'ada@x.test' } }).by).toBe('ada@x.test');
    expect(notificationDetails({ by: '  Sam ' }).by).toBe('Sam');
    expect(notificationDetails({ dueAt: '2026-03-03T13:00:00Z' }).dueAt).toEqual(new Date('2026-03-03T13:00:00Z'));
    expect(notificationDetails({ dueAt: 'soon', level: '2', clock: 7, days: 3 })).toMatchObject({ dueAt: null, level: null, clock: null, days: 3 });
    expect(notificationDetails(null)).toMatchObject({ by: null, excerpt: null });
  });

  it('orders a summary: SLA kinds by due time, others by when they happened', () => {
    const at = (m: number) => new Date(Date.UTC(2026, 2, 3, 13, m));
    const row = (kind: NotificationKind, ticketNumber: number, happened: number, due?: number) => ({ kind, ticketNumber, at: at(happened), data: due === undefined ? {} : { dueAt: at(due) } });
    expect(summaryOrder([row('sla_reminder', 1, 0, 50), row('sla_reminder', 2, 5, 20), row('sla_reminder', 3, 1, 20)]).map((r) => r.ticketNumber)).toEqual([2, 3, 1]);
    expect(summaryOrder([row('assigned', 9, 30), row('assigned', 8, 10)]).map((r) => r.ticketNumber)).toEqual([8, 9]);
    expect(['sla_reminder', 'sla_breached', 'escalated', 'assigned'].map((k) => isSlaNotification(k as NotificationKind))).toEqual([true, true, true, false]);
  });
});
