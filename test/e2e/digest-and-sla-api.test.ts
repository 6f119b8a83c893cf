import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import { hashPassword } from '../../src/store/passwords.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let app: Awaited<ReturnType<typeof startRuntime>>;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startSmtp();
  // PUBLIC_URL: the digest links its tickets and the reports page.
  app = await startRuntime('digest_api', ['web', 'jobs'], { PUBLIC_URL: 'https://desk.api.example.test' });
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}/api/v1`;
  const inbox = await app.models.Inbox.create({ name: 'Support', address: 'support@api.example.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
  for (const [email, role] of [['mia@api.example.test', 'manager'], ['ali@api.example.test', 'agent']] as const) {
    await app.models.User.create({ email, name: email.split('@')[0], role, inboxIds: [inbox._id], passwordHash: await hashPassword('a long enough password') });
    const res = await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'a long enough password' }) });
    tokens[role] = ((await res.json()) as { token: string }).token;
  }
  await app.models.Ticket.create({ number: 1, inboxId: inbox._id, subject: 'Open one', requester: { email: 'c@customer.test' }, status: 'open' });
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

const call = async (role: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; details?: { issues: Array<{ path: string }> } } } };
};

describe('SLA policy API', () => {
  it('shows the default, validates a new policy by path, and re-plans open tickets', async () => {
    const inbox = (await app.models.Inbox.findOne().lean())!;
    const got = await call('manager', 'GET', `/inboxes/${inbox._id}/sla`);
    expect(got).toMatchObject({ status: 200, body: { isDefault: true } });
    const bad = await call('manager', 'PUT', `/inboxes/${inbox._id}/sla`, { ...(got.body.policy as object), reminderAtFraction: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.issues.map((i) => i.path)).toContain('reminderAtFraction');
    expect((await call('agent', 'PUT', `/inboxes/${inbox._id}/sla`, got.body.policy)).status).toBe(403);

    const policy = { ...(got.body.policy as Record<string, unknown>), targets: Object.fromEntries(['low', 'normal', 'high', 'urgent'].map((p) => [p, { firstResponseSeconds: 600, nextResponseSeconds: 1200, resolutionSeconds: 3600 }])) };
    const saved = await call('manager', 'PUT', `/inboxes/${inbox._id}/sla`, policy);
    expect(saved).toMatchObject({ status: 200, body: { isDefault: false } });
    const ticket = (await app.models.Ticket.findOne({ number: 1 }).lean())!;
    expect(ticket.sla.firstResponseDueAt!.getTime() - ticket.createdAt.getTime()).toBe(600_000);
    const listed = await call('agent', 'GET', '/tickets');
    expect((listed.body.items as Array<{ sla: { firstResponseDueAt: string } }>)[0]!.sla.firstResponseDueAt).toBe(ticket.sla.firstResponseDueAt!.toISOString());
  });
});

describe('digest API', () => {
  it('validates and saves a schedule, and schedules the recurring job', async () => {
    const bad = await call('manager', 'PUT', '/digests/schedule', { enabled: true, cron: 'every morning', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.issues.map((i) => i.path).sort()).toEqual(['cron', 'timeZone']);
    const ok = await call('manager', 'PUT', '/digests/schedule', { enabled: true, cron: '30 7 * * 1-5', timeZone: 'Europe/Berlin' });
    expect(ok).toMatchObject({ status: 200, body: { enabled: true, cron: '30 7 * * 1-5', timeZone: 'Europe/Berlin' } });
    const jobs = await app.runtime.connection.db!.collection('jobs').find({ name: 'send-digest' }).toArray();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ repeatInterval: '30 7 * * 1-5', repeatTimezone: 'Europe/Berlin' });
    expect((await call('agent', 'GET', '/digests/schedule')).status).toBe(403);
  });

  it('sends a digest now to the calling manager, refused for agents', async () => {
    expect((await call('agent', 'POST', '/digests/send-now')).status).toBe(403);
    const sent = await call('manager', 'POST', '/digests/send-now');
    expect(sent).toMatchObject({ status: 202, body: { to: ['mia@api.example.test'], empty: false, counts: { new: 1, solved: 0, reopened: 0 } } });
    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('mia@api.example.test')).length, { timeout: 15_000 }).toBe(1);
    const mail = smtp.received.find((m) => m.rcptTo.includes('mia@api.example.test'))!;
    expect(mail.mailFrom).toBe('');
    expect(mail.raw.toString()).toMatch(/^Subject: (Helpdesk digest for|=\?)/m);
    expect((await parseMail(mail.raw, { maxBytes: 1e6 })).subject).toMatch(/^Helpdesk digest for /);
    expect(mail.raw.toString()).toMatch(/^Auto-Submitted: auto-generated/m);
  });

  it('includes the customers’ ratings of the period, linking each comment to its ticket page by id', async () => {
    const inbox = (await app.models.Inbox.findOne({ name: 'Support' }).lean())!;
    const now = new Date();
    const solved = await app.models.Ticket.create({ number: 2, inboxId: inbox._id, subject: 'Rated one', requester: { email: 'r@customer.test' }, status: 'solved', solvedAt: new Date(now.getTime() - 3600_000) });
    await app.models.SatisfactionRating.create({ ticketId: solved._id, inboxId: inbox._id, email: 'r@customer.test', askedAt: solved.solvedAt!, solvedAt: solved.solvedAt!, rating: 'good', comment: 'Spot on', ratedAt: new Date(now.getTime() - 60_000) });
    await app.models.User.updateOne({ email: 'mia@api.example.test' }, { $set: { 'digest.lastSentAt': new Date(now.getTime() - 86_400_000) } });
    const sent = await call('manager', 'POST', '/digests/send-now');
    expect(sent).toMatchObject({ status: 202, body: { satisfaction: { good: 1, okay: 0, bad: 0, total: 1, score: 100 } } });
    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('mia@api.example.test')).length, { timeout: 15_000 }).toBe(2);
    const parsed = await parseMail(smtp.received.filter((m) => m.rcptTo.includes('mia@api.example.test'))[1]!.raw, { maxBytes: 1e6 });
    expect(parsed.text).toContain('Good: “Spot on”');
    expect(parsed.html).toContain(`<a href="https://desk.api.example.test/tickets/${solved._id.toHexString()}">#2</a>`);
    // The reports page with the digest's period and inbox.
    const reports = new URL(/https:\/\/desk\.api\.example\.test\/reports\?\S+/.exec(parsed.text!)![0]);
    expect(reports.searchParams.getAll('inbox')).toEqual([inbox._id.toHexString()]);
    expect(Date.parse(reports.searchParams.get('to')!) - Date.parse(reports.searchParams.get('from')!)).toBeGreaterThanOrEqual(86_400_000);
  });
});

describe('inbox auto-reply settings', () => {
  it('refuses an override that would not render, naming the field', async () => {
    const admin = await app.models.User.create({ email: 'root@api.example.test', role: 'admin', passwordHash: await hashPassword('a long enough password') });
    const res = await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: admin.email, password: 'a long enough password' }) });
    tokens.admin = ((await res.json()) as { token: string }).token;
    const inbox = (await app.models.Inbox.findOne().lean())!;
    const bad = await call('admin', 'PATCH', `/inboxes/${inbox._id}`, { autoReply: { template: 'Hello {{customerName' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.issues.map((i) => i.path)).toEqual(['autoReply.template']);
    const ok = await call('admin', 'PATCH', `/inboxes/${inbox._id}`, { autoReply: { enabled: true, subject: 'Thanks, {{customerName}}', template: 'We got it, {{customerName}}.' } });
    expect(ok.status).toBe(200);
  });
});

describe('ticket actions through the API', () => {
  it('replies (threaded, delivered), notes, reassigns and solves, moving the SLA timers', async () => {
    const inbox = (await app.models.Inbox.findOne({ name: 'Support' }).lean())!;
    const ticket = await app.models.Ticket.create({ number: 42, inboxId: inbox._id, subject: 'Printer', requester: { email: 'pat@customer.test', name: 'Pat' }, status: 'open' });
    await app.models.Message.create({ ticketId: ticket._id, inboxId: inbox._id, direction: 'inbound', messageId: 'pat1@customer.test', subject: 'Printer', from: { address: 'pat@customer.test', name: 'Pat' }, threadKeys: ['pat1@customer.test'] });
    const refresh = await call('manager', 'PUT', `/inboxes/${inbox._id}/sla`, (await call('manager', 'GET', `/inboxes/${inbox._id}/sla`)).body.policy);
    expect(refresh.status).toBe(200);
    const timers = () => app.runtime.connection.db!.collection('jobs').countDocuments({ name: 'sla-timer', 'data.ticketId': ticket._id.toHexString(), nextRunAt: { $ne: null } });
    expect(await timers()).toBe(1);

    const reply = await call('agent', 'POST', `/tickets/${ticket._id}/replies`, { text: 'We are on it.', status: 'pending', requestKey: 'k1' });
    expect(reply).toMatchObject({ status: 202, body: { to: ['pat@customer.test'] } });
    expect((await call('agent', 'POST', `/tickets/${ticket._id}/replies`, { text: 'We are on it.', status: 'pending', requestKey: 'k1' })).body.id).toBe(reply.body.id);
    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('pat@customer.test')).length, { timeout: 15_000 }).toBe(1);
    const sent = await parseMail(smtp.received.find((m) => m.rcptTo.includes('pat@customer.test'))!.raw, { maxBytes: 1e6 });
    expect(sent).toMatchObject({ inReplyTo: ['pat1@customer.test'], subject: 'Re: Printer [#42]' });
    const afterReply = (await app.models.Ticket.findById(ticket._id).lean())!;
    expect(afterReply.status).toBe('pending');
    expect(afterReply.sla.firstRespondedAt).toBeInstanceOf(Date);
    expect(afterReply.sla.firstResponseDueAt).toBeNull();
    expect(await timers()).toBe(0); // waiting on the customer: every clock paused

    expect((await call('agent', 'POST', `/tickets/${ticket._id}/notes`, { text: 'Customer is a VIP' })).status).toBe(201);
    const ali = (await app.models.User.findOne({ email: 'ali@api.example.test' }).lean())!;
    const patched = await call('manager', 'PATCH', `/tickets/${ticket._id}`, { assigneeId: ali._id.toHexString(), priority: 'high', status: 'open', tags: ['VIP', 'printer'] });
    expect(patched).toMatchObject({ status: 200, body: { status: 'open', priority: 'high', assigneeId: ali._id.toHexString(), tags: ['printer', 'vip'] } });
    expect(await timers()).toBe(1); // open again: the resolution clock runs
    expect((await call('agent', 'PATCH', `/tickets/${ticket._id}`, { assigneeId: '0123456789abcdef01234567' })).status).toBe(400);
    expect((await call('agent', 'PATCH', `/tickets/${ticket._id}`, { status: 'solved' })).body).toMatchObject({ status: 'solved' });
    expect(await timers()).toBe(0);
    const trail = (await call('agent', 'GET', `/tickets/${ticket._id}`)).body.events as Array<{ type: string }>;
    expect(trail.map((e) => e.type)).toEqual(expect.arrayContaining(['reply_queued', 'reply_sent', 'note_added', 'assigned', 'priority_changed', 'tags_changed', 'status_changed']));

    const other = await app.models.Inbox.create({ name: 'Hidden', address: 'hidden@api.example.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
    const hidden = await app.models.Ticket.create({ number: 43, inboxId: other._id, subject: 'Secret', requester: { email: 'x@customer.test' } });
    expect((await call('agent', 'PATCH', `/tickets/${hidden._id}`, { status: 'solved' })).status).toBe(404);
    expect((await call('agent', 'POST', `/tickets/${hidden._id}/replies`, { text: 'hi' })).status).toBe(404);
  });
});

describe('inbox branding on replies', () => {
  it('lays the reply out with the inbox signature and colour, and keeps the agent text in the conversation', async () => {
    const inbox = (await app.models.Inbox.findOne({ name: 'Support' }).lean())!;
    const bad = await call('admin', 'PATCH', `/inboxes/${inbox._id}`, { branding: { primaryColor: 'red; background:url(x)' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.issues.map((i) => i.path)).toEqual(['branding.primaryColor']);
    const ok = await call('admin', 'PATCH', `/inboxes/${inbox._id}`, { displayName: 'Acme Support', branding: { signature: 'The Acme support team', primaryColor: '#0a7d45' } });
    expect(ok.body).toMatchObject({ branding: { signature: 'The Acme support team', primaryColor: '#0a7d45' } });

    const ticket = await app.models.Ticket.create({ number: 50, inboxId: inbox._id, subject: 'Brand', requester: { email: 'bo@customer.test' }, status: 'open' });
    const res = await call('agent', 'POST', `/tickets/${ticket._id}/replies`, { text: 'Line one.\nLine <two>.' });
    expect(res.status).toBe(202);
    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('bo@customer.test')).length, { timeout: 15_000 }).toBe(1);
    const parsed = await parseMail(smtp.received.find((m) => m.rcptTo.includes('bo@customer.test'))!.raw, { maxBytes: 1e6 });
    expect(parsed.from).toMatchObject({ address: 'support@api.example.test', name: 'Acme Support' });
    expect(parsed.text).toContain('Line one.');
    expect(parsed.text).toContain('The Acme support team');
    expect(parsed.html).toContain('#0a7d45');
    expect(parsed.html).toContain('Line &lt;two&gt;.');
    const stored = (await app.models.Message.findOne({ ticketId: ticket._id, direction: 'outbound' }).lean())!;
    expect(stored.text).toBe('Line one.\nLine <two>.');
    expect(stored.html).toBeNull();
  });
});
