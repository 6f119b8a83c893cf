import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login } from '../../helpers/api.js';
import { clockNearRealTime, minutesFrom } from '../../helpers/clock.js';
import { Client, startPages } from './pages-harness.js';
import { startSendingApp } from './sending-app.js';

let app: Awaited<ReturnType<typeof startSendingApp>>;
let api: string;
let manager: string;
let otherManager: string;

beforeAll(async () => {
  app = await startSendingApp('digest_limits');
  api = `${app.base}/api/v1`;
  const inbox = await app.models.Inbox.create({ name: 'Support', address: 'support@example.com', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
  await createUser(app.models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inbox._id] });
  await createUser(app.models, { email: 'other@example.com', password: 'other password 1234', role: 'manager', inboxIds: [inbox._id] });
  manager = await login(api, 'manager@example.com', 'manager password 123');
  otherManager = await login(api, 'other@example.com', 'other password 1234');
});
afterAll(() => app.close());

describe('PUT /digests/schedule minimum interval', () => {
  it.each(['*/30 * * * *', '* * * * *', '0,30 8 * * 1-5'])('refuses %s (more than one digest an hour) naming the field', async (cron) => {
    const res = await call(api, 'PUT', '/digests/schedule', { token: manager, body: { enabled: true, cron, timeZone: 'UTC' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues).toEqual([{ path: 'cron', message: expect.stringMatching(/^must fire at most once an hour/) }]);
  });

  it.each(['0 * * * *', '0 8 * * 1-5', '15 8,9 * * *'])('accepts %s', async (cron) => {
    const res = await call(api, 'PUT', '/digests/schedule', { token: manager, body: { enabled: true, cron, timeZone: 'Europe/Berlin' } });
    expect(res.status).toBe(200);
    expect(res.body.cron).toBe(cron);
  });
});

describe('POST /digests/send-now rate limit', () => {
  it('queues 3 digests in 10 minutes per user, then answers 429 RATE_LIMITED with Retry-After until the oldest leaves the window', async () => {
    const start = clockNearRealTime();
    app.setNow(start);
    try {
      for (let i = 0; i < 3; i++) {
        app.setNow(minutesFrom(start, i));
        expect((await call(api, 'POST', '/digests/send-now', { token: manager })).status).toBe(202);
      }
      app.setNow(minutesFrom(start, 5));
      const refused = await call(api, 'POST', '/digests/send-now', { token: manager });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.headers.get('retry-after')).toBe('300');
      expect(await app.models.Outbox.countDocuments({ kind: 'digest' })).toBe(3);

      // The limit is per user, and kept in the database rather than in this process.
      expect((await call(api, 'POST', '/digests/send-now', { token: otherManager })).status).toBe(202);
      const stored = await app.models.User.findOne({ email: 'manager@example.com' }).lean();
      expect(stored!.digest.sentNowAt).toHaveLength(3);

      app.setNow(minutesFrom(start, 10));
      expect((await call(api, 'POST', '/digests/send-now', { token: manager })).status).toBe(202);
      expect((await call(api, 'POST', '/digests/send-now', { token: manager })).status).toBe(429);
    } finally {
      app.setNow(null);
    }
  });
});

describe('digest settings page minimum interval', () => {
  it('shows the form again with the cron field named when a raw cron fires more often than hourly', async () => {
    const pages = await startPages(null);
    try {
      await createUser(pages.models, { email: 'lead@example.com', password: 'lead password 1234', role: 'manager' });
      const browser = new Client(pages.base);
      await browser.login('lead@example.com', 'lead password 1234');
      const form = await browser.get('/settings/digest');
      const res = await browser.post('/settings/digest', { _csrf: Client.csrf(form.text), enabled: 'on', mode: 'cron', cron: '*/15 * * * *', timeZone: 'UTC' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('must fire at most once an hour; this one fires 15 minutes apart');
      expect(pages.recurring.size).toBe(0);
    } finally {
      await pages.close();
    }
  });
});
