import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import type { Models } from '../../../src/store/models/index.js';
import { call, createUser, login, startApi } from '../../helpers/api.js';

let base: string;
let models: Models;
let close: () => Promise<void>;
let manager: string;
const ids: Record<string, string> = {};
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();

const policyWith = (userIds: string[]) => ({ ...DEFAULT_SLA_POLICY, ladder: [{ level: 1, name: 'Lead', userIds, afterSeconds: 600 }] });
const put = (userIds: string[]) => call(base, 'PUT', `/inboxes/${inboxA.toHexString()}/sla`, { token: manager, body: policyWith(userIds) });

beforeAll(async () => {
  const h = await startApi('api_sla_ladder', { refreshSla: async () => {} });
  models = h.models;
  base = h.base;
  close = () => h.close();
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@example.com', ...account },
    { _id: inboxB, name: 'B', address: 'b@example.com', ...account },
  ]);
  await createUser(models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inboxA] });
  ids.member = (await createUser(models, { email: 'member@example.com', password: 'member password 123', inboxIds: [inboxA] }))._id.toHexString();
  ids.admin = (await createUser(models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' }))._id.toHexString();
  ids.outsider = (await createUser(models, { email: 'outsider@example.com', password: 'outsider password 123', inboxIds: [inboxB] }))._id.toHexString();
  manager = await login(base, 'manager@example.com', 'manager password 123');
});
afterAll(() => close());

describe('PUT /inboxes/:id/sla escalation ladder users', () => {
  it('refuses a ladder user who is not a member of the inbox, naming the path, and keeps the old policy', async () => {
    const res = await put([ids.member!, ids.outsider!]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues).toEqual([{ path: 'ladder.0.userIds.1', message: 'is not a member of this inbox' }]);
    expect(res.body.error.message).toContain('ladder.0.userIds.1: is not a member of this inbox');
    expect((await models.Inbox.findById(inboxA).lean())!.sla ?? null).toBeNull();
  });

  it('answers a ladder user id that is not an ObjectId with 400 naming the field, not 500', async () => {
    const res = await put(['not-an-id']);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'ladder.0.userIds.0', message: 'must be a user id' }] } });
  });

  it('names a user id that does not exist', async () => {
    const res = await put([new Types.ObjectId().toHexString()]);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([{ path: 'ladder.0.userIds.0', message: 'names a user that does not exist' }]);
  });

  it('accepts members of the inbox and admins', async () => {
    const res = await put([ids.member!, ids.admin!]);
    expect(res.status).toBe(200);
    expect(res.body.policy.ladder[0].userIds).toEqual([ids.member, ids.admin]);
  });
});
