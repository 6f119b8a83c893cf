import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startPagesWithManager, type startPages } from './pages-harness.js';

// The SLA page's ladder rows can also move a breached ticket up a level ("escalate to level Lx").
let h: Awaited<ReturnType<typeof startPages>>;
let manager: Client;
const inboxId = new Types.ObjectId();
const slaPath = () => `/settings/inboxes/${inboxId.toHexString()}/sla`;

const slaForm = (overrides: Record<string, string> = {}) => ({
  t_urgent_first: '30m', t_urgent_next: '1h', t_urgent_resolution: '4h',
  t_high_first: '2h', t_high_next: '4h', t_high_resolution: '1d',
  t_normal_first: '4h', t_normal_next: '8h', t_normal_resolution: '2d',
  t_low_first: '', t_low_next: '', t_low_resolution: '5d',
  reminder: '75', bh_tz: 'UTC',
  l0_name: 'Second line', l0_after: '15m',
  ...overrides,
});

async function postSla(form: Record<string, string>) {
  const page = await manager.get(slaPath());
  return manager.post(slaPath(), { _csrf: Client.csrf(page.text), ...form });
}
const problems = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
const ladder = async () => ((await h.models.Inbox.findById(inboxId).lean())!.sla as { ladder: unknown[] } | null)?.ladder;

beforeAll(async () => {
  ({ h, manager } = await startPagesWithManager(inboxId));
});
afterAll(async () => h.close());

describe('SLA ladder step that escalates to a level', () => {
  it('offers L2 to L4 besides "no move" on every ladder row', async () => {
    const page = (await manager.get(slaPath())).text;
    const select = /<select name="l0_escalate">([\s\S]*?)<\/select>/.exec(page)?.[1] ?? '';
    expect([...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]+)<\/option>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['', 'No move: only email these people'], ['L2', 'L2'], ['L3', 'L3'], ['L4', 'L4'],
    ]);
  });

  it('saves the level, shows it chosen again, and clears it with "no move"', async () => {
    expect((await postSla(slaForm({ l0_escalate: 'L3' }))).status).toBe(303);
    expect(await ladder()).toEqual([{ level: 1, name: 'Second line', userIds: [], afterSeconds: 900, escalateTo: 'L3' }]);
    expect((await manager.get(slaPath())).text).toContain('<option value="L3" selected>L3</option>');
    expect((await postSla(slaForm({ l0_escalate: '' }))).status).toBe(303);
    expect(await ladder()).toEqual([{ level: 1, name: 'Second line', userIds: [], afterSeconds: 900 }]);
  });

  it('refuses a level it does not know, naming the row, and keeps the rest as typed', async () => {
    const res = await postSla(slaForm({ l0_escalate: 'L9', l0_after: '20m' }));
    expect(res.status).toBe(400);
    expect(problems(res.text)).toContainEqual('Escalation level 1 move: must be a support level (L1–L4) or null');
    expect(res.text).toContain('name="l0_after" value="20m"');
    expect(await ladder()).toEqual([{ level: 1, name: 'Second line', userIds: [], afterSeconds: 900 }]);
  });
});
