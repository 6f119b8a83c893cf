import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startPagesWithManager, type startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let manager: Client;
const inboxId = new Types.ObjectId();
const slaPath = () => `/settings/inboxes/${inboxId.toHexString()}/sla`;
const H = 3600;

const priorityTargets = {
  t_urgent_first: '1h', t_urgent_next: '2h', t_urgent_resolution: '8h',
  t_high_first: '4h', t_high_next: '8h', t_high_resolution: '1d',
  t_normal_first: '8h', t_normal_next: '1d', t_normal_resolution: '3d',
  t_low_first: '1d', t_low_next: '2d', t_low_resolution: '5d',
  reminder: '75',
};
/** One level's grid: [first, next, resolution] per priority. */
const levelGrid = (level: string, rows: Record<'urgent' | 'high' | 'normal' | 'low', [string, string, string]>) =>
  Object.fromEntries(Object.entries(rows).flatMap(([p, [first, next, resolution]]) => [[`lt_${level}_${p}_first`, first], [`lt_${level}_${p}_next`, next], [`lt_${level}_${p}_resolution`, resolution]]));
const l2 = levelGrid('L2', { urgent: ['15m', '30m', '2h'], high: ['1h', '2h', '8h'], normal: ['2h', '4h', '1d'], low: ['4h', '', '2d'] });

async function postSla(form: Record<string, string>) {
  const csrf = Client.csrf((await manager.get(slaPath())).text);
  const res = await fetch(h.base + slaPath(), {
    method: 'POST',
    headers: { cookie: [...manager.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
}
const stored = async () => (await h.models.Inbox.findById(inboxId).lean())!.sla as { levelTargets?: Record<string, unknown> } | null;
const problems = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);

beforeAll(async () => {
  ({ h, manager } = await startPagesWithManager(inboxId));
});
afterAll(async () => h.close());

describe('SLA form: targets per support level', () => {
  it('offers every level unticked, its grid filled with the priority targets', async () => {
    const page = (await manager.get(slaPath())).text;
    for (const level of ['L1', 'L2', 'L3', 'L4']) expect(page).toContain(`name="lv_${level}_on">`);
    expect(page).toContain('L2 · technical');
    expect(page).toContain('name="lt_L3_urgent_first" value="1h" aria-label="L3 Urgent first response"');
  });

  it('saves a ticked level with its own table, ignores the grid of an unticked one, and shows them again', async () => {
    const garbage = levelGrid('L3', { urgent: ['soon', 'x', 'y'], high: ['', '', ''], normal: ['', '', ''], low: ['', '', ''] });
    expect((await postSla({ ...priorityTargets, lv_L2_on: 'on', ...l2, ...garbage })).status).toBe(303);
    expect((await stored())?.levelTargets).toEqual({
      L2: {
        urgent: { firstResponseSeconds: 15 * 60, nextResponseSeconds: 30 * 60, resolutionSeconds: 2 * H },
        high: { firstResponseSeconds: H, nextResponseSeconds: 2 * H, resolutionSeconds: 8 * H },
        normal: { firstResponseSeconds: 2 * H, nextResponseSeconds: 4 * H, resolutionSeconds: 24 * H },
        low: { firstResponseSeconds: 4 * H, nextResponseSeconds: null, resolutionSeconds: 48 * H },
      },
    });

    const page = (await manager.get(slaPath())).text;
    expect(page).toContain('name="lv_L2_on" checked>');
    expect(page).toContain('name="lt_L2_urgent_first" value="15m"');
    expect(page).toContain('name="lt_L2_low_next" value=""');
    expect(page).toContain('name="lt_L2_normal_resolution" value="1d"');
    expect(page).toContain('name="lv_L3_on">');
    expect(page).toContain('name="lt_L3_urgent_first" value="1h"');
  });

  it('shows a level cell the form cannot read and one the policy check refuses next to their inputs, saving nothing', async () => {
    const before = await stored();
    const res = await postSla({ ...priorityTargets, lv_L2_on: 'on', ...l2, lt_L2_high_next: 'soon', lv_L4_on: 'on', ...levelGrid('L4', { urgent: ['1d', '2d', '0m'], high: ['1d', '', ''], normal: ['1d', '', ''], low: ['1d', '', ''] }) });
    expect(res.status).toBe(400);
    expect(problems(res.text)).toEqual([
      'L2 · High · next response: write a duration such as 45m, 4h or 1h30m',
      'L4 · Urgent · resolution: must be a whole number of seconds ≥ 1, or null',
    ]);
    expect(res.text).toMatch(/name="lt_L2_high_next" value="soon" aria-label="[^"]*" aria-invalid="true"><span class="cfg-error">write a duration/);
    expect(res.text).toMatch(/name="lt_L4_urgent_resolution" value="0m" aria-label="[^"]*" aria-invalid="true"><span class="cfg-error">must be a whole number/);
    expect(res.text).toContain('name="lv_L4_on" checked>');
    expect(await stored()).toEqual(before);
  });

  it("maps the use case's refusal of a level target back to its input", async () => {
    const res = await postSla({ ...priorityTargets, lv_L1_on: 'on', ...levelGrid('L1', { urgent: ['1h', '', ''], high: ['1h', '', ''], normal: ['1h', '', ''], low: ['0m', '', ''] }) });
    expect(res.status).toBe(400);
    expect(problems(res.text)).toEqual(['L1 · Low · first response: must be a whole number of seconds ≥ 1, or null']);
    expect(res.text).toMatch(/name="lt_L1_low_first" value="0m" aria-label="[^"]*" aria-invalid="true"><span class="cfg-error">/);
  });

  it('unticking a level drops its own targets', async () => {
    expect((await postSla({ ...priorityTargets, ...l2 })).status).toBe(303);
    expect((await stored())?.levelTargets ?? {}).toEqual({});
    expect((await manager.get(slaPath())).text).toContain('name="lv_L2_on">');
  });
});
