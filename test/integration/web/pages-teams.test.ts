import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;
let ginaId: string;
const inbox = new Types.ObjectId();

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([{ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } }]);
  ({ admin, manager, agent, agentId: ginaId } = await signInEveryRole(h, inbox));
});
afterAll(async () => h.close());

describe('/settings/teams', () => {
  it('admins add, edit and delete teams; the settings index links there; managers read; agents get 403', async () => {
    expect((await admin.get('/settings')).text).toContain('href="/settings/teams"');
    const form = await admin.get('/settings/teams/new');
    expect(form.status).toBe(200);
    const added = await admin.post('/settings/teams', { _csrf: Client.csrf(form.text), name: 'Réseau', level: 'L2', memberIds: ginaId, inboxIds: inbox.toHexString() });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/settings/teams?saved=created');
    const dup = await admin.post('/settings/teams', { _csrf: Client.csrf(form.text), name: 'Réseau', level: 'L3', inboxIds: inbox.toHexString() });
    // Refused: the form comes back with what was posted and the error at the name.
    expect(dup.status).toBe(400);
    expect(dup.text).toMatch(/name="name" value="Réseau"[^>]*aria-invalid="true"/);
    expect(dup.text).toMatch(/value="L3" selected/);
    expect(dup.text).toContain(`value="${inbox.toHexString()}" checked`);
    expect(dup.text).toMatch(/class="cfg-error" id="team-error" role="alert">/);

    const team = (await h.models.Team.findOne({ name: 'Réseau' }).lean())!;
    expect(team).toMatchObject({ level: 'L2' });
    expect(team.memberIds.map(String)).toEqual([ginaId]);
    let list = await admin.get('/settings/teams?saved=created');
    expect(list.text).toContain('Team added.');
    expect(list.text).toContain(`href="/settings/teams/${team._id.toHexString()}"`);
    expect(list.text).toContain('data-label="Level"');

    const edit = await admin.get(`/settings/teams/${team._id.toHexString()}`);
    expect(edit.status).toBe(200);
    expect(edit.text).toMatch(/value="L2" selected/);
    const saved = await admin.post(`/settings/teams/${team._id.toHexString()}`, { _csrf: Client.csrf(edit.text), name: 'Réseau', level: 'L3' });
    expect(saved.headers.get('location')).toBe('/settings/teams?saved=updated');
    expect((await h.models.Team.findById(team._id).lean())).toMatchObject({ level: 'L3', memberIds: [] });

    const read = await manager.get('/settings/teams');
    expect(read.status).toBe(200);
    expect(read.text).toContain('Réseau');
    expect(read.text).toContain('Only admins can add or change teams.');
    expect((await agent.get('/settings/teams')).status).toBe(403);

    const removed = await admin.post(`/settings/teams/${team._id.toHexString()}/delete`, { _csrf: Client.csrf(edit.text) });
    expect(removed.headers.get('location')).toBe('/settings/teams?saved=deleted');
    list = await admin.get('/settings/teams');
    expect(list.text).toContain('No teams yet.');
  });
});
