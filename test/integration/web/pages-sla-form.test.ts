import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPagesWithManager, type startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let manager: Client;
let agentId: Types.ObjectId;
const inboxId = new Types.ObjectId();
const slaPath = () => `/settings/inboxes/${inboxId.toHexString()}/sla`;

const slaForm = (overrides: Record<string, string> = {}) => ({
  t_urgent_first: '30m', t_urgent_next: '1h', t_urgent_resolution: '4h',
  t_high_first: '2h', t_high_next: '4h', t_high_resolution: '1d',
  t_normal_first: '4h', t_normal_next: '8h', t_normal_resolution: '2d',
  t_low_first: '', t_low_next: '', t_low_resolution: '5d',
  reminder: '80',
  bh_on: 'on', bh_tz: 'Europe/Berlin',
  bh_day_1: '09:00-17:00', bh_day_2: '09:00-17:00', bh_day_3: '09:00-17:00', bh_day_4: '09:00-17:00', bh_day_5: '09:00-15:00', bh_day_6: '', bh_day_0: '',
  bh_holidays: '2026-12-25\n2026-12-26',
  l0_name: 'Team lead', l0_after: '30m',
  ...overrides,
});

/** Posts the SLA form with the page's CSRF token; `without` drops fields (an unticked checkbox is not posted). */
async function postSla(form: Record<string, string>, opts: { without?: string[]; repeated?: Array<[string, string]> } = {}) {
  const csrf = Client.csrf((await manager.get(slaPath())).text);
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [k, v] of Object.entries(form)) if (!opts.without?.includes(k)) body.append(k, v);
  for (const [k, v] of opts.repeated ?? []) body.append(k, v);
  const res = await fetch(h.base + slaPath(), {
    method: 'POST',
    headers: { cookie: [...manager.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
}

const problems = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);

beforeAll(async () => {
  ({ h, manager } = await startPagesWithManager(inboxId));
  agentId = (await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxId], name: 'Gina' }))._id;
});
afterAll(async () => h.close());

describe('SLA form keeps what was typed on any error', () => {
  it('keeps the typed time zone, holidays and opening hours when business hours are off and another field is wrong', async () => {
    const res = await postSla(slaForm({ t_normal_first: 'soon', bh_tz: 'America/Chicago', bh_holidays: '2026-07-04\n2026-11-26', bh_day_1: '08:00-16:00' }), { without: ['bh_on'] });
    expect(res.status).toBe(400);
    expect(res.text).toContain('name="bh_on">');
    expect(res.text).toContain('name="bh_tz" value="America/Chicago"');
    expect(res.text).toContain('2026-07-04\n2026-11-26</textarea>');
    expect(res.text).toContain('name="bh_day_1" value="08:00-16:00"');
    expect(res.text).toContain('name="t_normal_first" value="soon"');
  });

  it('keeps every typed value, ladder users included, when the use case refuses the policy', async () => {
    const res = await postSla(slaForm({ l0_name: '', l0_after: '45m', reminder: '90' }), { repeated: [['l0_users', agentId.toHexString()]] });
    expect(res.status).toBe(400);
    expect(res.text).toContain('name="l0_after" value="45m"');
    expect(res.text).toContain('name="reminder" value="90"');
    expect(res.text).toContain(`name="l0_users" value="${agentId.toHexString()}" checked`);
    expect(res.text).toContain('name="bh_tz" value="Europe/Berlin"');
  });

});

describe('SLA form showed the policy errors only on a second save, after the unreadable fields were fixed', () => {
  it('shows the errors the form reads and the errors the policy check finds together on the first save', async () => {
    const res = await postSla(slaForm({ t_normal_first: 'soon', bh_day_2: '9 to 5', bh_tz: 'Mars/Olympus_Mons', bh_holidays: '2026-02-30', l0_name: '' }), { repeated: [['l0_users', agentId.toHexString()]] });
    expect(res.status).toBe(400);
    const listed = problems(res.text);
    expect(listed).toContainEqual('Normal · first response: write a duration such as 45m, 4h or 1h30m');
    expect(listed).toContainEqual('Tuesday hours: write opening hours such as 09:00-17:00, or 09:00-12:00, 13:00-17:00');
    expect(listed.some((p) => p!.startsWith('Time zone: must be an IANA time zone'))).toBe(true);
    expect(listed.some((p) => p!.startsWith('Holidays:'))).toBe(true);
    expect(listed).toContainEqual('Escalation level 1 name: must be a non-empty string');
    expect(res.text).toContain('value="Mars/Olympus_Mons" list="time-zones" aria-invalid="true"');
    expect((await h.models.Inbox.findById(inboxId).lean())!.sla).toBeNull();
  });

  it('after all that, saves a valid policy with business hours off', async () => {
    const res = await postSla(slaForm(), { without: ['bh_on'] });
    expect(res.status).toBe(303);
    expect((await h.models.Inbox.findById(inboxId).lean())!.sla).toMatchObject({ businessHours: null });
  });
});

describe('SLA form dropped the typed calendar when business hours were switched off', () => {
  const calendar = { bh_tz: 'Europe/Paris', bh_holidays: '2026-07-14', bh_day_5: '09:00-12:00' };

  it('keeps the time zone, hours and holidays while business hours are off, and restores them when switched on', async () => {
    expect((await postSla(slaForm(calendar))).status).toBe(303);
    expect((await h.models.Inbox.findById(inboxId).lean())!.sla).toMatchObject({ businessHours: { timeZone: 'Europe/Paris', holidays: ['2026-07-14'] } });

    expect((await postSla(slaForm(calendar), { without: ['bh_on'] })).status).toBe(303);

    const page = (await manager.get(slaPath())).text;
    expect(page).toContain('name="bh_on">');
    expect(page).toContain('name="bh_tz" value="Europe/Paris"');
    expect(page).toContain('2026-07-14</textarea>');
    expect(page).toContain('name="bh_day_5" value="09:00-12:00"');
    const off = (await h.models.Inbox.findById(inboxId).lean())!.sla as Record<string, unknown>;
    expect(off).toMatchObject({ businessHours: null, keptBusinessHours: { timeZone: 'Europe/Paris', holidays: ['2026-07-14'] } });

    // Switching on again: the page's own fields are posted back, nothing retyped.
    const form = Object.fromEntries([...page.matchAll(/name="(bh_(?:tz|day_\d))" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect((await postSla(slaForm({ ...form, bh_holidays: /name="bh_holidays"[^>]*>([^<]*)<\/textarea>/.exec(page)![1]!, bh_on: 'on' }))).status).toBe(303);
    const on = (await h.models.Inbox.findById(inboxId).lean())!.sla as Record<string, unknown>;
    expect(on).toMatchObject({ keptBusinessHours: null, businessHours: { timeZone: 'Europe/Paris', holidays: ['2026-07-14'] } });
    expect((on.businessHours as { weekly: unknown[] }).weekly).toContainEqual({ day: 5, open: '09:00', close: '12:00' });
  });

  it('still switches business hours off when the typed calendar is not valid, keeping nothing', async () => {
    const res = await postSla(slaForm({ bh_tz: 'Mars/Olympus_Mons', bh_day_2: '9 to 5' }), { without: ['bh_on'] });
    expect(res.status).toBe(303);
    expect((await h.models.Inbox.findById(inboxId).lean())!.sla).toMatchObject({ businessHours: null, keptBusinessHours: null });
  });
});
