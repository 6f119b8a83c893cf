import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { counts, seedTeamLoad } from './team-load-fixture.js';

let h: ApiHarness;
let fx: Awaited<ReturnType<typeof seedTeamLoad>>;
let admin: string;
let manager: string;
let agent: string;
const helpdesk = new Types.ObjectId();

beforeAll(async () => {
  h = await startApi('api_team_load');
  await h.models.Inbox.create({ _id: helpdesk, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  const max = await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [helpdesk], name: 'Max' });
  const gina = await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [helpdesk], name: 'Gina' });
  fx = await seedTeamLoad(h.models, helpdesk, { max: max._id.toHexString(), gina: gina._id.toHexString() });
  admin = await login(h.base, 'ada@example.test', 'ada password 123');
  manager = await login(h.base, 'max@example.test', 'max password 123');
  agent = await login(h.base, 'gina@example.test', 'gina password 123');
});
afterAll(() => h.close());

describe('GET /api/v1/teams/load', () => {
  it('gives an admin every team with its members, other assignees and unassigned tickets, and the tickets without a team', async () => {
    const before = Date.now();
    const res = await call(h.base, 'GET', '/teams/load', { token: admin });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(res.body.teams.map((t: { name: string; level: string }) => `${t.name} ${t.level}`)).toEqual(['Accueil L1', 'Facturation L1', 'Réseau L2']);
    const [accueil, facturation, reseau] = res.body.teams;
    expect(accueil.id).toBe(fx.teams.accueil);
    expect(accueil.agents).toEqual([
      { id: fx.users.gina, name: 'Gina', email: 'gina@example.test', away: false, awaySince: null, disabled: false, member: true, counts: counts(3, { urgent: 1, high: 1, normal: 1 }, { 'under-1d': 1, '1-3d': 1, 'over-7d': 1 }) },
      { id: fx.users.hugo, name: 'Hugo', email: 'hugo@example.test', away: true, awaySince: expect.any(String), disabled: false, member: true, counts: counts(0) },
      { id: fx.users.iris, name: 'Iris', email: 'iris@example.test', away: true, awaySince: expect.any(String), disabled: false, member: false, counts: counts(1, { normal: 1 }, { 'under-1d': 1 }) },
    ]);
    expect(accueil.unassigned).toEqual(counts(1, { low: 1 }, { '3-7d': 1 }));
    expect(accueil.total).toEqual(counts(5, { urgent: 1, high: 1, normal: 2, low: 1 }, { 'under-1d': 2, '1-3d': 1, '3-7d': 1, 'over-7d': 1 }));
    expect(facturation.agents.map((a: { name: string; counts: unknown }) => [a.name, a.counts])).toEqual([['Iris', counts(1, { high: 1 }, { '3-7d': 1 })]]);
    expect(reseau).toMatchObject({ agents: [], unassigned: counts(1, { high: 1 }, { 'under-1d': 1 }), total: counts(1, { high: 1 }, { 'under-1d': 1 }) });
    expect(res.body.noTeam.agents.map((a: { id: string; member: boolean; counts: unknown }) => [a.id, a.member, a.counts])).toEqual([[fx.users.gina, false, counts(1, { low: 1 }, { '1-3d': 1 })]]);
    expect(res.body.noTeam.unassigned).toEqual(counts(2, { urgent: 1, normal: 1 }, { 'under-1d': 1, 'over-7d': 1 }));
  });

  it('gives a manager the tickets of their inboxes and the teams working them; refuses an agent', async () => {
    const res = await call(h.base, 'GET', '/teams/load', { token: manager });
    expect(res.status).toBe(200);
    expect(res.body.teams.map((t: { name: string }) => t.name)).toEqual(['Accueil', 'Réseau']);
    expect(res.body.teams[0].total.total).toBe(5);
    expect(res.body.noTeam.total).toEqual(counts(2, { urgent: 1, low: 1 }, { '1-3d': 1, 'over-7d': 1 }));

    const refused = await call(h.base, 'GET', '/teams/load', { token: agent });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'Team load is for managers and admins' });
    expect((await call(h.base, 'GET', '/teams/load')).status).toBe(401);
  });

  it('follows a ticket as it moves: reassigned, solved, away', async () => {
    const ticket = await h.models.Ticket.findOne({ teamId: new Types.ObjectId(fx.teams.accueil), assigneeId: null, status: 'new' });
    await h.models.Ticket.updateOne({ _id: ticket!._id }, { $set: { assigneeId: new Types.ObjectId(fx.users.hugo) } });
    await h.models.Ticket.updateOne({ teamId: new Types.ObjectId(fx.teams.reseau) }, { $set: { status: 'solved' } });
    const res = await call(h.base, 'GET', '/teams/load', { token: admin });
    const [accueil, , reseau] = res.body.teams;
    expect(accueil.agents.find((a: { id: string }) => a.id === fx.users.hugo).counts).toEqual(counts(1, { low: 1 }, { '3-7d': 1 }));
    expect(accueil.unassigned.total).toBe(0);
    expect(reseau.total.total).toBe(0);
  });
});
