import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { freePort } from '../../helpers/process.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
const IMAP_PASSWORD = 'imap-page-Secret-never-shown';
const SMTP_PASSWORD = 'smtp-page-Secret-never-shown';
const NEW_IMAP_PASSWORD = 'imap-rotated-Secret-never-shown';
const ownInbox = new Types.ObjectId();
const otherInbox = new Types.ObjectId();
let managerId: Types.ObjectId;
let agentId: Types.ObjectId;
let closedPort: number;
/** Every page the tests fetched, to check that no password ever reached one. */
const pages: string[] = [];

async function get(c: Client, path: string) {
  const res = await c.get(path);
  pages.push(res.text);
  return res;
}

async function post(c: Client, path: string, form: Record<string, string>, repeated: Array<[string, string]> = []) {
  const page = await get(c, path.replace(/\?.*$/, ''));
  const body = new URLSearchParams({ _csrf: Client.csrf(page.text), ...form });
  for (const [k, v] of repeated) body.append(k, v);
  const res = await fetch(h.base + path, {
    method: 'POST',
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  pages.push(text);
  return { status: res.status, location: res.headers.get('location'), text };
}

const inboxForm = (overrides: Record<string, string> = {}) => ({
  name: 'Billing',
  address: 'Billing@Example.test',
  display_name: 'ACME Billing',
  imap_host: '127.0.0.1',
  imap_port: String(closedPort),
  imap_user: 'billing@example.test',
  imap_password: IMAP_PASSWORD,
  imap_folder: 'INBOX',
  smtp_host: '127.0.0.1',
  smtp_port: String(closedPort),
  smtp_user: 'billing',
  smtp_password: SMTP_PASSWORD,
  import_since: '2026-01-01',
  primary_color: '#aa3300',
  signature: 'The billing team',
  action: 'save',
  ...overrides,
});

beforeAll(async () => {
  h = await startPages(null);
  closedPort = await freePort();
  const account = { host: 'x', port: 993, secure: true, folder: 'INBOX' };
  await h.models.Inbox.create({ _id: ownInbox, name: 'Support', address: 'support@example.test', imap: account, smtp: { host: '127.0.0.1', port: closedPort, secure: false }, options: {} });
  await h.models.Inbox.create({ _id: otherInbox, name: 'Sales', address: 'sales@example.test', imap: account, smtp: { host: 'x', port: 25, secure: false }, options: {} });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  managerId = (await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', name: 'Max', inboxIds: [ownInbox] }))._id;
  agentId = (await createUser(h.models, { email: 'gus@example.test', password: 'gus password 123', name: 'Gus', inboxIds: [ownInbox] }))._id;
});
afterAll(async () => {
  for (const html of pages) {
    for (const secret of [IMAP_PASSWORD, SMTP_PASSWORD, NEW_IMAP_PASSWORD]) expect(html).not.toContain(secret);
  }
  await h.close();
});

describe('inbox settings', () => {
  let billingId: string;

  it('lets an admin add an inbox; the passwords are stored sealed and the form never shows them', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const res = await post(c, '/settings/inboxes/new', inboxForm());
    expect(res.status).toBe(303);
    const match = /^\/settings\/inboxes\/([0-9a-f]{24})\?saved=created$/.exec(res.location ?? '');
    expect(match).not.toBeNull();
    billingId = match![1]!;
    const stored = await h.models.Inbox.findById(billingId).lean();
    expect(stored).toMatchObject({ name: 'Billing', address: 'billing@example.test', displayName: 'ACME Billing', imap: { port: closedPort, secure: false, user: 'billing@example.test' } });
    expect(stored!.options.importSince?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(stored!.branding.primaryColor).toBe('#aa3300');
    expect(h.secrets.open(stored!.imap.passwordSealed!, `inbox:${billingId}:imap`)).toBe(IMAP_PASSWORD);
    expect(h.secrets.open(stored!.smtp.passwordSealed!, `inbox:${billingId}:smtp`)).toBe(SMTP_PASSWORD);

    const page = await get(c, res.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Inbox created.');
    expect(page.text).toContain('value="ACME Billing"');
    expect(page.text).toContain('A password is stored. Leave empty to keep it.');
    expect(page.text).not.toMatch(/type="password" name="\w+" value=/);
    expect(page.text).toContain(`href="/settings/inboxes/${billingId}/canned-replies"`);
  });

  it('keeps the stored passwords when the fields stay empty, and replaces one that is typed', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const before = await h.models.Inbox.findById(billingId).lean();
    const res = await post(c, `/settings/inboxes/${billingId}`, inboxForm({ name: 'Billing EU', imap_password: '', smtp_password: '' }));
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/settings/inboxes/${billingId}?saved=1`);
    const after = await h.models.Inbox.findById(billingId).lean();
    expect(after!.name).toBe('Billing EU');
    expect(after!.imap.passwordSealed).toBe(before!.imap.passwordSealed);
    expect(after!.smtp.passwordSealed).toBe(before!.smtp.passwordSealed);

    expect((await post(c, `/settings/inboxes/${billingId}`, inboxForm({ name: 'Billing EU', imap_password: NEW_IMAP_PASSWORD, smtp_password: '' }))).status).toBe(303);
    const rotated = await h.models.Inbox.findById(billingId).lean();
    expect(h.secrets.open(rotated!.imap.passwordSealed!, `inbox:${billingId}:imap`)).toBe(NEW_IMAP_PASSWORD);
    expect(rotated!.smtp.passwordSealed).toBe(before!.smtp.passwordSealed);
  });

  it('shows what is wrong with a rejected form, keeps what was typed, and saves nothing', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const res = await post(c, `/settings/inboxes/${billingId}`, inboxForm({ name: 'Renamed', imap_port: 'ninety', primary_color: 'red', imap_password: '' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('IMAP port: must be a port number from 1 to 65535');
    expect(res.text).toContain('value="Renamed"');
    const again = await post(c, `/settings/inboxes/${billingId}`, inboxForm({ name: 'Renamed', primary_color: 'red', imap_password: '' }));
    expect(again.status).toBe(400);
    expect(again.text).toContain('Brand colour: must be a colour like #1a73e8');
    expect((await h.models.Inbox.findById(billingId).lean())!.name).toBe('Billing EU');
  });

  it('tests a new inbox before it is saved, keeping what was typed but the passwords', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const res = await post(c, '/settings/inboxes/new', inboxForm({ name: 'Draft', address: 'draft@example.test', action: 'test' }));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/IMAP \(reading mail\):<\/strong> IMAP_UNREACHABLE/);
    expect(res.text).toContain('value="Draft"');
    expect(await h.models.Inbox.countDocuments({ address: 'draft@example.test' })).toBe(0);
  });

  it('refuses a form without its CSRF token', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    expect((await c.post(`/settings/inboxes/${billingId}`, { ...inboxForm({ name: 'Forged' }) })).status).toBe(403);
    expect((await c.post(`/settings/inboxes/${billingId}/auto-reply`, { enabled: 'on', subject: 'x', template: 'y' })).status).toBe(403);
    expect((await h.models.Inbox.findById(billingId).lean())!.name).toBe('Billing EU');
  });

  it('tests the connection and shows each account\'s result on the page', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const res = await post(c, `/settings/inboxes/${billingId}`, inboxForm({ action: 'test', imap_password: '', smtp_password: '' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Connection test');
    expect(res.text).toMatch(/IMAP \(reading mail\):<\/strong> IMAP_UNREACHABLE/);
    expect(res.text).toMatch(/SMTP \(sending mail\):<\/strong> SMTP_UNREACHABLE <span class="muted">\(\d+ ms\)<\/span><br>connection refused/);
  });

  it('shows a manager their inbox read-only and refuses their changes', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const list = await get(c, '/settings/inboxes');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Support');
    expect(list.text).not.toContain('Sales');
    expect(list.text).not.toContain('Add an inbox');
    const page = await get(c, `/settings/inboxes/${ownInbox.toHexString()}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/name="imap_port" value="993" disabled/);
    // Hosts and user names are for admins only.
    expect(page.text).not.toContain('name="imap_host"');
    expect(page.text).not.toContain('name="smtp_user"');
    expect(page.text).not.toContain('value="save"');
    expect((await post(c, `/settings/inboxes/${ownInbox.toHexString()}`, { name: 'Mine now', action: 'save' })).status).toBe(403);
    // The read-only form posts no values, so the test runs on what is stored.
    const tested = await post(c, `/settings/inboxes/${ownInbox.toHexString()}`, { action: 'test' });
    expect(tested.status).toBe(200);
    expect(tested.text).toMatch(/IMAP \(reading mail\):<\/strong> IMAP_AUTH_FAILED/);
    expect(tested.text).toContain('No IMAP password is stored');
    expect(tested.text).toMatch(/SMTP \(sending mail\):<\/strong> SMTP_UNREACHABLE/);
    expect((await get(c, `/settings/inboxes/${otherInbox.toHexString()}`)).status).toBe(404);
    expect((await get(c, '/settings/inboxes/new')).status).toBe(403);
    expect((await h.models.Inbox.findById(ownInbox).lean())!.name).toBe('Support');
  });

  it('answers 403 to an agent anywhere under /settings', async () => {
    const c = await Client.signedIn(h.base, 'gus@example.test', 'gus password 123');
    const id = ownInbox.toHexString();
    for (const path of ['/settings', '/settings/inboxes', '/settings/inboxes/new', `/settings/inboxes/${id}`, `/settings/inboxes/${id}/sla`, `/settings/inboxes/${id}/auto-reply`, '/settings/digest']) {
      expect((await get(c, path)).status, path).toBe(403);
    }
    const csrf = Client.csrf((await c.get('/')).text);
    expect((await c.post(`/settings/inboxes/${id}/sla`, { _csrf: csrf, t_normal_first: '1h' })).status).toBe(403);
    expect((await c.post('/settings/digest', { _csrf: csrf, enabled: 'on', mode: 'cron', cron: '0 8 * * *', timeZone: 'UTC' })).status).toBe(403);
  });
});

describe('SLA settings', () => {
  const slaForm = (overrides: Record<string, string> = {}) => ({
    t_urgent_first: '30m', t_urgent_next: '1h', t_urgent_resolution: '4h',
    t_high_first: '2h', t_high_next: '4h', t_high_resolution: '1d',
    t_normal_first: '4h', t_normal_next: '8h', t_normal_resolution: '2d',
    t_low_first: '', t_low_next: '', t_low_resolution: '5d',
    reminder: '80',
    bh_on: 'on', bh_tz: 'Europe/Berlin',
    bh_day_1: '09:00-17:00', bh_day_2: '09:00-17:00', bh_day_3: '09:00-12:00, 13:00-17:00', bh_day_4: '09:00-17:00', bh_day_5: '09:00-15:00', bh_day_6: '', bh_day_0: '',
    bh_holidays: '2026-12-25\n2026-12-26',
    l0_name: 'Team lead', l0_after: '30m',
    ...overrides,
  });

  it('lets a manager save the policy of their inbox, read back into the form', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const id = ownInbox.toHexString();
    const page = await get(c, `/settings/inboxes/${id}/sla`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('default policy');
    expect(page.text).toContain('Gus');
    const res = await post(c, `/settings/inboxes/${id}/sla`, slaForm(), [['l0_users', agentId.toHexString()], ['l0_users', managerId.toHexString()]]);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/settings/inboxes/${id}/sla?saved=1`);
    const { sla } = (await h.models.Inbox.findById(ownInbox).lean())! as { sla: Record<string, unknown> };
    expect(sla).toMatchObject({
      targets: { urgent: { firstResponseSeconds: 1800, nextResponseSeconds: 3600, resolutionSeconds: 14_400 }, low: { firstResponseSeconds: null, resolutionSeconds: 432_000 } },
      reminderAtFraction: 0.8,
      businessHours: { timeZone: 'Europe/Berlin', holidays: ['2026-12-25', '2026-12-26'] },
      ladder: [{ level: 1, name: 'Team lead', afterSeconds: 1800, userIds: [agentId.toHexString(), managerId.toHexString()] }],
    });
    expect((sla.businessHours as { weekly: unknown[] }).weekly).toContainEqual({ day: 3, open: '13:00', close: '17:00' });

    const again = await get(c, `/settings/inboxes/${id}/sla?saved=1`);
    expect(again.text).toContain('Saved.');
    expect(again.text).not.toContain('default policy');
    expect(again.text).toContain('name="t_urgent_first" value="30m"');
    expect(again.text).toContain('name="bh_day_3" value="09:00-12:00, 13:00-17:00"');
    expect(again.text).toContain(`name="l0_users" value="${agentId.toHexString()}" checked`);
  });

  it('refuses a manager the SLA of an inbox that is not theirs', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const id = otherInbox.toHexString();
    expect((await get(c, `/settings/inboxes/${id}/sla`)).status).toBe(404);
    const csrf = Client.csrf((await c.get('/')).text);
    expect((await c.post(`/settings/inboxes/${id}/sla`, { _csrf: csrf, ...slaForm() })).status).toBe(404);
    expect((await h.models.Inbox.findById(otherInbox).lean())!.sla).toBeNull();
  });

  it('shows the error of a bad policy next to its field and saves nothing', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const id = ownInbox.toHexString();
    const before = (await h.models.Inbox.findById(ownInbox).lean())!.sla;
    const badZone = await post(c, `/settings/inboxes/${id}/sla`, slaForm({ bh_tz: 'Mars/Olympus_Mons', t_high_first: '3h' }));
    expect(badZone.status).toBe(400);
    expect(badZone.text).toContain('Time zone: must be an IANA time zone');
    expect(badZone.text).toContain('value="Mars/Olympus_Mons" list="time-zones" aria-invalid="true"');
    expect(badZone.text).toContain('name="t_high_first" value="3h"');

    const badDuration = await post(c, `/settings/inboxes/${id}/sla`, slaForm({ t_normal_first: 'soon', bh_day_2: '9 to 5' }));
    expect(badDuration.status).toBe(400);
    expect(badDuration.text).toContain('Normal · first response: write a duration such as 45m, 4h or 1h30m');
    expect(badDuration.text).toContain('Tuesday hours: write opening hours');

    const unnamedLevel = await post(c, `/settings/inboxes/${id}/sla`, slaForm({ l0_name: '' }), [['l0_users', agentId.toHexString()]]);
    expect(unnamedLevel.status).toBe(400);
    expect(unnamedLevel.text).toContain('Escalation level 1 name: must be a non-empty string');
    expect((await h.models.Inbox.findById(ownInbox).lean())!.sla).toEqual(before);
  });
});

describe('auto-reply settings', () => {
  it('refuses an override that would not render and keeps the stored one', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const id = ownInbox.toHexString();
    const res = await post(c, `/settings/inboxes/${id}/auto-reply`, { enabled: 'on', subject: 'Re: {{ticketSubject}}', template: 'Hello {{#if customerName}}{{customerName}}', action: 'save' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Text: .+/);
    expect(res.text).toContain('Hello {{#if customerName}}{{customerName}}');
    const stored = (await h.models.Inbox.findById(ownInbox).lean())!.autoReply;
    expect(stored).toMatchObject({ enabled: true, overrides: { en: { subject: null, template: null } } });
  });

  it('previews unsaved text with the real template, then saves it', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const id = ownInbox.toHexString();
    const form = { subject: 'We got it: {{ticketSubject}}', template: 'Hi {{customerName}}, ticket {{ticketNumber}} is with us.' };
    const preview = await post(c, `/settings/inboxes/${id}/auto-reply`, { ...form, action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('We got it: My order has not arrived [#1042]');
    expect(preview.text).toContain('Hi Robin Customer, ticket 1042 is with us.');
    expect((await h.models.Inbox.findById(ownInbox).lean())!.autoReply.overrides?.en?.template).toBeNull();

    const saved = await post(c, `/settings/inboxes/${id}/auto-reply`, { ...form, action: 'save' });
    expect(saved.status).toBe(303);
    // The form's texts are those of the inbox's default language (English).
    expect((await h.models.Inbox.findById(ownInbox).lean())!.autoReply).toMatchObject({ enabled: false, overrides: { en: { subject: form.subject, template: form.template } } });
  });

  it('turns the suggested help center articles on and off with their own checkbox', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const id = ownInbox.toHexString();
    await post(c, `/settings/inboxes/${id}/auto-reply`, { enabled: 'on', suggestArticles: 'on', subject: '', template: '', action: 'save' });
    expect((await h.models.Inbox.findById(ownInbox).lean())!.autoReply).toMatchObject({ enabled: true, suggestArticles: true });
    expect((await get(c, `/settings/inboxes/${id}/auto-reply`)).text).toContain('<input type="checkbox" name="suggestArticles" checked>');
    await post(c, `/settings/inboxes/${id}/auto-reply`, { enabled: 'on', subject: '', template: '', action: 'save' });
    expect((await h.models.Inbox.findById(ownInbox).lean())!.autoReply).toMatchObject({ enabled: true, suggestArticles: false });
    expect((await get(c, `/settings/inboxes/${id}/auto-reply`)).text).toContain('<input type="checkbox" name="suggestArticles">');
  });
});

describe('digest settings', () => {
  it('saves the picker as cron in the chosen time zone and moves the digest job', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const page = await get(c, '/settings/digest');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/name="days" value="5" checked/);
    const res = await post(c, '/settings/digest', { enabled: 'on', mode: 'picker', time: '07:30', cron: '', timeZone: 'Europe/Berlin' }, [['days', '1'], ['days', '3'], ['inboxIds', ownInbox.toHexString()]]);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/settings/digest?saved=1');
    const user = await h.models.User.findById(managerId).lean();
    expect(user!.digest).toMatchObject({ enabled: true, cron: '30 7 * * 1,3', timeZone: 'Europe/Berlin' });
    expect(user!.digest!.inboxIds!.map(String)).toEqual([ownInbox.toHexString()]);
    expect(h.recurring.get(managerId.toHexString())).toEqual({ name: 'send-digest', cron: '30 7 * * 1,3', timeZone: 'Europe/Berlin' });

    const back = await get(c, '/settings/digest?saved=1');
    expect(back.text).toContain('Saved.');
    expect(back.text).toMatch(/name="days" value="3" checked/);
    expect(back.text).not.toMatch(/name="days" value="5" checked/);
    expect(back.text).toContain('value="07:30"');
  });

  it('refuses a bad cron expression or another manager\'s inbox, and keeps the schedule', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const badCron = await post(c, '/settings/digest', { enabled: 'on', mode: 'cron', cron: 'every morning', timeZone: 'UTC' });
    expect(badCron.status).toBe(400);
    expect(badCron.text).toContain('must be a 5-field cron expression');
    expect(badCron.text).toContain('value="every morning"');
    const foreign = await post(c, '/settings/digest', { enabled: 'on', mode: 'cron', cron: '0 9 * * *', timeZone: 'UTC' }, [['inboxIds', otherInbox.toHexString()]]);
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('may only name your own inboxes');
    expect((await h.models.User.findById(managerId).lean())!.digest).toMatchObject({ cron: '30 7 * * 1,3', timeZone: 'Europe/Berlin' });
  });
});

describe('settings index', () => {
  it('offers admins users and inboxes, and managers their inboxes and digest', async () => {
    const a = await get(await Client.signedIn(h.base, 'ada@example.test', 'ada password 123'), '/settings');
    expect(a.status).toBe(200);
    expect(a.text).toContain('href="/settings/users"');
    expect(a.text).toContain('href="/settings/inboxes"');
    const m = await get(await Client.signedIn(h.base, 'max@example.test', 'max password 123'), '/settings');
    expect(m.status).toBe(200);
    expect(m.text).not.toContain('href="/settings/users"');
    expect(m.text).toContain('href="/settings/digest"');
  });
});
