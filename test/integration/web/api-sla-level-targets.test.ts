import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import { refreshSla, type SlaDeps } from '../../../src/services/sla/refresh-sla.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import type { Models } from '../../../src/store/models/index.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import type { AutomationDeps } from '../../../src/web/api/automation-routes.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { clockNearRealTime } from '../../helpers/clock.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

let base: string;
let models: Models;
let close: () => Promise<void>;
let admin: string;
const inboxId = new Types.ObjectId();
const now = clockNearRealTime();
const slaPath = () => `/inboxes/${inboxId.toHexString()}/sla`;
const l2 = { ...DEFAULT_SLA_POLICY.targets, urgent: { firstResponseSeconds: 900, nextResponseSeconds: 1800, resolutionSeconds: 7200 } };

beforeAll(async () => {
  const db = await openTestDb('api_sla_level_targets');
  models = db.models;
  // The real SLA planning, without timers or mail: the due times stored on tickets are what is checked.
  const automation: AutomationDeps & SlaDeps = {
    ...db.stores, now: () => now, scheduler: noJobs, compose, sign: (() => '') as never, render: (async () => ({})) as never, logger: testLogger, ticketUrlBase: null,
    refreshSla: (id) => refreshSla(automation, id),
  };
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs: createBlobStore(db.connection.db!), now: () => now, automation },
  });
  const server = await serve(app);
  base = `${server.base}/api/v1`;
  close = async () => {
    await server.close();
    await db.drop();
  };
  await models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } });
  await createUser(models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  admin = await login(base, 'admin@example.com', 'admin password 123');
});
afterAll(() => close());

describe('SLA targets per support level in the API', () => {
  it('PUT stores the level targets and GET answers them; a policy without them reads as none', async () => {
    expect((await call(base, 'GET', slaPath(), { token: admin })).body.policy.levelTargets).toEqual({});
    const put = await call(base, 'PUT', slaPath(), { token: admin, body: { targets: DEFAULT_SLA_POLICY.targets, levelTargets: { L2: l2 } } });
    expect(put.status).toBe(200);
    expect(put.body.policy.levelTargets).toEqual({ L2: l2 });
    const got = await call(base, 'GET', slaPath(), { token: admin });
    expect(got.body).toMatchObject({ isDefault: false, policy: { targets: DEFAULT_SLA_POLICY.targets, levelTargets: { L2: l2 } } });
  });

  it('refuses an unknown level and a bad level target, naming their paths, and keeps the stored policy', async () => {
    const res = await call(base, 'PUT', slaPath(), {
      token: admin,
      body: { targets: DEFAULT_SLA_POLICY.targets, levelTargets: { L5: l2, L3: { ...l2, high: { ...l2.high, resolutionSeconds: 0 } } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['levelTargets.L5', 'levelTargets.L3.high.resolutionSeconds']);
    expect((await call(base, 'GET', slaPath(), { token: admin })).body.policy.levelTargets).toEqual({ L2: l2 });
  });

  it("PATCH /teams/:id to a new level re-plans the SLA clocks of the team's tickets", async () => {
    const team = await call(base, 'POST', '/teams', { token: admin, body: { name: 'Network', level: 'L1', inboxIds: [inboxId.toHexString()] } });
    expect(team.status).toBe(201);
    const ticket = await models.Ticket.create({ number: 1, inboxId, teamId: new Types.ObjectId(team.body.id as string), subject: 'Router down', requester: { email: 'c@customer.test' }, status: 'open', priority: 'urgent', createdAt: now });
    const due = async () => (await models.Ticket.findById(ticket._id).lean())!.sla?.firstResponseDueAt;

    expect((await call(base, 'PATCH', `/teams/${team.body.id}`, { token: admin, body: { level: 'L2' } })).status).toBe(200);
    expect(await due()).toEqual(new Date(now.getTime() + 900_000));
    expect((await call(base, 'PATCH', `/teams/${team.body.id}`, { token: admin, body: { level: 'L3' } })).status).toBe(200);
    expect(await due()).toEqual(new Date(now.getTime() + DEFAULT_SLA_POLICY.targets.urgent.firstResponseSeconds! * 1000));
  });
});
