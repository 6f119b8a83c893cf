import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { renderEmail, validateTemplateOverride } from '../../../src/mail/render-email.js';
import { assignmentFollowUps, refillAfterTicketChange } from '../../../src/services/teams/assignment-refill.js';
import { autoAssignTicket } from '../../../src/services/teams/auto-assign-ticket.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';
import { Client } from './pages-harness.js';

// Auto-assignment's settings on the team page and API, the "waiting for a free agent" mark on the list,
// the ticket page and the API, and the follow-ups that assign waiting tickets (cap raised, agent back).
let db: Awaited<ReturnType<typeof openTestDb>>;
let server: Awaited<ReturnType<typeof serve>>;
let api: string;
let admin: Client;
let adminToken: string;
const inbox = new Types.ObjectId();
let gina: Types.ObjectId;
let teamId: Types.ObjectId;
let number = 0;

beforeAll(async () => {
  db = await openTestDb('pages_auto_assign');
  const now = () => new Date();
  const base = { ...db.stores, now, scheduler: noJobs, compose, sign: (() => '') as never, refreshSla: async () => {} };
  const followUps = assignmentFollowUps(base, now);
  const actions = { ...base, ...followUps, afterAgentAction: async (id: Types.ObjectId) => void (await refillAfterTicketChange(base, id, { now: now() })) };
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const blobs = createBlobStore(db.connection.db!);
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, automation: { models: db.models, ...actions, render: renderEmail, logger: testLogger, ticketUrlBase: null } as never },
    pages: {
      stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, publicUrl: null, actions,
      settings: { connectionChecks: createConnectionChecks({ timeoutMs: 5000 }), validateTemplate: validateTemplateOverride, render: renderEmail, scheduler: noJobs },
    },
  });
  server = await serve(app);
  api = `${server.base}/api/v1`;
  await db.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@auto-assign.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(db.models, { email: 'ada@auto-assign.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  gina = (await createUser(db.models, { email: 'gina@auto-assign.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina' }))._id;
  teamId = (await db.models.Team.create({ name: 'Réseau', level: 'L1', inboxIds: [inbox], memberIds: [gina] }))._id;
  admin = await Client.signedIn(server.base, 'ada@auto-assign.test', 'ada password 123');
  adminToken = await login(api, 'ada@auto-assign.test', 'ada password 123');
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

const newTicket = async () => (await db.models.Ticket.create({ number: ++number, inboxId: inbox, teamId, subject: `Router down ${number}`, requester: { email: 'paul@customer.test' }, status: 'new' }))._id;
const deps = () => ({ ...db.stores, scheduler: noJobs });

describe('auto-assignment settings', () => {
  it('are set on the team page, shown in the team list, and a bad cap is refused with the form kept', async () => {
    const edit = await admin.get(`/settings/teams/${teamId.toHexString()}`);
    expect(edit.text).toContain('Auto-assignment');
    expect(edit.text).toMatch(/<option value="none" selected>No: agents take or get them by hand<\/option>/);
    const bad = await admin.post(`/settings/teams/${teamId.toHexString()}`, { _csrf: Client.csrf(edit.text), name: 'Réseau', level: 'L1', memberIds: gina.toHexString(), assignmentMode: 'round_robin', assignmentCap: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/<option value="round_robin" selected>/);
    expect((await db.models.Team.findById(teamId).lean())!.assignment).toBeUndefined();

    const saved = await admin.post(`/settings/teams/${teamId.toHexString()}`, { _csrf: Client.csrf(edit.text), name: 'Réseau', level: 'L1', memberIds: gina.toHexString(), assignmentMode: 'round_robin', assignmentCap: '1' });
    expect(saved.headers.get('location')).toBe('/settings/teams?saved=updated');
    expect((await db.models.Team.findById(teamId).lean())!.assignment).toMatchObject({ mode: 'round_robin', cap: 1 });
    const list = await admin.get('/settings/teams');
    expect(list.text).toContain('data-label="Auto-assignment">Round-robin · at most 1 each</td>');
    const again = await admin.get(`/settings/teams/${teamId.toHexString()}`);
    expect(again.text).toMatch(/name="assignmentCap" value="1"/);
    // The team load names it beside the team.
    expect((await admin.get('/team-load')).text).toMatch(/Réseau <span class="badge">[^<]+<\/span> <span class="badge">Round-robin · at most 1 each<\/span><\/h2>/);
  });

  it('are read and changed through the API, with the same checks', async () => {
    const got = await call(api, 'GET', `/teams/${teamId.toHexString()}`, { token: adminToken });
    expect(got.body.assignment).toEqual({ mode: 'round_robin', cap: 1 });
    const bad = await call(api, 'PATCH', `/teams/${teamId.toHexString()}`, { token: adminToken, body: { assignment: { mode: 'random' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const negative = await call(api, 'PATCH', `/teams/${teamId.toHexString()}`, { token: adminToken, body: { assignment: { mode: 'least_open', cap: -1 } } });
    expect(negative.status).toBe(400);
  });
});

describe('a ticket waiting for a free agent', () => {
  it('shows on the list, the ticket page and the API, and is assigned when the cap rises', async () => {
    const first = await newTicket();
    const waiting = await newTicket();
    expect((await autoAssignTicket(deps(), first, teamId, { now: new Date() })).assigneeId).toEqual(gina);
    expect(await autoAssignTicket(deps(), waiting, teamId, { now: new Date() })).toEqual({ assigneeId: null, waiting: true });

    const list = await admin.get('/tickets');
    expect(list.text).toMatch(/<span class="badge waiting" title="[^"]+">Waiting for a free agent<\/span>/);
    const page = await admin.get(`/tickets/${waiting.toHexString()}`);
    expect(page.text).toContain('>Waiting for a free agent</span>');
    expect(page.text).toContain('Every member of team Réseau is away or at their cap: the ticket waits for a free agent');
    const firstPage = await admin.get(`/tickets/${first.toHexString()}`);
    expect(firstPage.text).toContain('Auto-assigned to Gina by team Réseau');
    const viaApi = await call(api, 'GET', `/tickets/${waiting.toHexString()}`, { token: adminToken });
    expect(viaApi.body.waitingForAgent).toEqual({ teamId: teamId.toHexString(), since: expect.any(String) });

    // The cap rises to 2: the team's waiting ticket goes to Gina at once.
    const raised = await call(api, 'PATCH', `/teams/${teamId.toHexString()}`, { token: adminToken, body: { assignment: { mode: 'round_robin', cap: 2 } } });
    expect(raised.status).toBe(200);
    expect(raised.body.assignment).toEqual({ mode: 'round_robin', cap: 2 });
    const ticket = (await db.models.Ticket.findById(waiting).lean())!;
    expect(ticket.assigneeId).toEqual(gina);
    expect(ticket.assignment ?? null).toBeNull();
    expect((await call(api, 'GET', `/tickets/${waiting.toHexString()}`, { token: adminToken })).body.waitingForAgent).toBeNull();
  });

  it('is assigned when the admin marks its agent back from away, on the user page or with the API', async () => {
    const user = `/settings/users/${gina.toHexString()}`;
    // Room for one more: only her being away keeps the next ticket waiting.
    await db.models.Team.updateOne({ _id: teamId }, { $set: { 'assignment.cap': 3 } });
    let form = await admin.get(user);
    expect(form.text).toContain('Mark away');
    const away = await admin.post(`${user}/away`, { _csrf: Client.csrf(form.text) });
    expect(away.headers.get('location')).toBe(`${user}?saved=away`);
    expect((await db.models.User.findById(gina).lean())!.away).toBe(true);
    form = await admin.get(`${user}?saved=away`);
    expect(form.text).toContain('Marked away.');
    expect(form.text).toContain('auto-assignment passes them over');

    const ticketId = await newTicket();
    expect((await autoAssignTicket(deps(), ticketId, teamId, { now: new Date() })).waiting).toBe(true);
    // The ticket page's assignee list says who is away.
    expect((await admin.get(`/tickets/${ticketId.toHexString()}`)).text).toMatch(/<option value="[0-9a-f]{24}" >Gina \(away\)<\/option>/);
    const back = await admin.post(`${user}/back`, { _csrf: Client.csrf(form.text) });
    expect(back.headers.get('location')).toBe(`${user}?saved=back`);
    expect((await db.models.User.findById(gina).lean())!.away).toBe(false);
    expect((await db.models.Ticket.findById(ticketId).lean())!.assigneeId).toEqual(gina);

    // The API: away, then back, answers the user with it.
    const set = await call(api, 'PATCH', `/users/${gina.toHexString()}`, { token: adminToken, body: { away: true } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ away: true, awaySince: expect.any(String) });
    const cleared = await call(api, 'PATCH', `/users/${gina.toHexString()}`, { token: adminToken, body: { away: false } });
    expect(cleared.body).toMatchObject({ away: false, awaySince: null });
  });
});
