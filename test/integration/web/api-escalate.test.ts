import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import { refreshSla, type SlaDeps } from '../../../src/services/sla/refresh-sla.js';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { clockNearRealTime } from '../../helpers/clock.js';
import { testLogger } from '../../helpers/db.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

// `POST /api/v1/tickets/:id/escalate` and `GET …/escalation`, with the SLA re-planned for real, and the
// read-only access the team it left keeps.
let h: ApiHarness;
let lea: string;
let max: string;
const inboxId = new Types.ObjectId();
const desk = new Types.ObjectId();
const network = new Types.ObjectId();
const start = clockNearRealTime();
const H = 3600;
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
let number = 0;

beforeAll(async () => {
  // The SLA use cases read the harness's stores, which exist only once it started.
  const late: { sla?: SlaDeps } = {};
  h = await startApi('api_escalate', { refreshSla: (id) => refreshSla(late.sla!, id) });
  late.sla = { ...h.stores, scheduler: noJobs, compose, sign: () => '', now: () => start, render: async () => ({ subject: '', html: '', text: '' }), logger: testLogger, ticketUrlBase: null };
  h.setNow(start);
  const l2 = Object.fromEntries(Object.keys(DEFAULT_SLA_POLICY.targets).map((p) => [p, { firstResponseSeconds: 900, nextResponseSeconds: 1800, resolutionSeconds: 2 * H }]));
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@api-escalate.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 }, sla: { ...DEFAULT_SLA_POLICY, levelTargets: { L2: l2 } } });
  const leaId = (await createUser(h.models, { email: 'lea@api-escalate.test', password: 'lea password 123' }))._id;
  const maxId = (await createUser(h.models, { email: 'max@api-escalate.test', password: 'max password 123' }))._id;
  await h.models.Team.create([
    { _id: desk, name: 'Desk', level: 'L1', memberIds: [leaId], inboxIds: [inboxId] },
    { _id: network, name: 'Network', level: 'L2', memberIds: [maxId], inboxIds: [inboxId] },
  ]);
  lea = await login(h.base, 'lea@api-escalate.test', 'lea password 123');
  max = await login(h.base, 'max@api-escalate.test', 'max password 123');
});
afterAll(() => h.close());

async function deskTicket(): Promise<string> {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId, teamId: desk, subject: `Case ${number}`, status: 'open', priority: 'normal', requester: { email: 'c@customer.test' }, createdAt: start, lastActivityAt: start });
  return t._id.toHexString();
}

describe('escalation API', () => {
  it('lists the next level’s teams, and refuses an escalation without a note, naming the field', async () => {
    const id = await deskTicket();
    const options = await call(h.base, 'GET', `/tickets/${id}/escalation`, { token: lea });
    expect(options.status).toBe(200);
    expect(options.body).toEqual({ level: 'L2', teams: [{ id: network.toHexString(), name: 'Network', level: 'L2' }] });
    const refused = await call(h.base, 'POST', `/tickets/${id}/escalate`, { token: lea, body: { note: '' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['note']);
    expect((await call(h.base, 'POST', `/tickets/${id}/escalate`, { token: lea, body: { note: 'x', extra: 1 } })).status).toBe(400);
  });

  it('moves the ticket to the only L2 team, with the SLA of L2 from now, the note and the move on the trail', async () => {
    const id = await deskTicket();
    h.setNow(at(10 * 60));
    const res = await call(h.base, 'POST', `/tickets/${id}/escalate`, { token: lea, body: { note: 'Needs the network people' } });
    h.setNow(start);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, teamId: network.toHexString(), level: 'L2' });
    const ticket = (await h.models.Ticket.findById(id).lean())!;
    expect(ticket.access).toEqual(expect.arrayContaining([`team:${desk.toHexString()}`, `team:${network.toHexString()}`]));
    expect(ticket.sla).toMatchObject({ firstResponseDueAt: at(25 * 60), resolutionDueAt: at(10 * 60 + 2 * H) });
    const detail = await call(h.base, 'GET', `/tickets/${id}`, { token: max });
    expect(detail.status).toBe(200);
    expect(detail.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['level_escalated', 'sla_level_applied', 'note_added']));
    expect(detail.body.messages.find((m: { direction: string }) => m.direction === 'note')?.text).toBe('Needs the network people');
  });

  it('leaves the ticket readable to the team it left, refusing its changes with 403 but taking its notes', async () => {
    const id = await deskTicket();
    expect((await call(h.base, 'POST', `/tickets/${id}/escalate`, { token: lea, body: { note: 'Over to you', teamId: network.toHexString() } })).status).toBe(200);
    expect((await call(h.base, 'GET', `/tickets/${id}`, { token: lea })).status).toBe(200);
    const list = await call(h.base, 'GET', '/tickets', { token: lea });
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(id);
    const patch = await call(h.base, 'PATCH', `/tickets/${id}`, { token: lea, body: { status: 'solved' } });
    expect(patch.status).toBe(403);
    expect(patch.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('escalated to another team') });
    expect((await call(h.base, 'POST', `/tickets/${id}/replies`, { token: lea, body: { text: 'Hello' } })).status).toBe(403);
    expect((await call(h.base, 'POST', `/tickets/${id}/escalate`, { token: lea, body: { note: 'again' } })).status).toBe(403);
    expect((await call(h.base, 'POST', `/tickets/${id}/notes`, { token: lea, body: { text: 'The customer called back' } })).status).toBe(201);
    expect((await call(h.base, 'PATCH', `/tickets/${id}`, { token: max, body: { status: 'pending' } })).status).toBe(200);
    expect((await h.models.Ticket.findById(id).lean())!.status).toBe('pending');
  });
});
