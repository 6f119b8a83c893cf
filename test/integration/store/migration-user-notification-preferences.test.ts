import { Types } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { userNotificationPreferences } from '../../../src/store/migrations/0004-user-notification-preferences.js';
import { MIGRATIONS } from '../../../src/store/migrations/registry.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

const opened: Array<{ drop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.drop()));
});

const user = (email: string, extra: Record<string, unknown> = {}) => ({
  _id: new Types.ObjectId(),
  email,
  name: null,
  role: 'agent',
  passwordHash: 'not a real hash',
  inboxIds: [],
  disabled: false,
  digest: { enabled: false, cron: '0 8 * * 1-5', timeZone: 'UTC', inboxIds: [], lastSentAt: null },
  createdAt: new Date(),
  updatedAt: new Date(),
  ...extra,
});

describe('0004-user-notification-preferences: users from before notifications', () => {
  it('get an explicit empty set of choices (every kind at its default); choices already made stay; a second run changes nothing', async () => {
    const old = await previousRelease('notify_prefs', 3);
    opened.push(old);
    const missing = user('ann@acme.test');
    const nulled = user('bob@acme.test', { notify: null });
    const chosen = user('cy@acme.test', { notify: { assigned: false, team_new_ticket: true } });
    await old.db.collection('users').insertMany([missing, nulled, chosen]);

    const outcome = await old.upgrade();
    // This one, then whatever later releases added.
    expect(outcome.applied.map((x) => x.name)).toEqual(MIGRATIONS.filter((m) => m.version >= 4).map((m) => m.name));
    expect(outcome.applied[0]!.name).toBe('user-notification-preferences');

    const read = async (id: Types.ObjectId) => (await old.db.collection('users').findOne({ _id: id }, { projection: { _id: 0, notify: 1 } }))?.notify;
    expect(await read(missing._id)).toEqual({});
    expect(await read(nulled._id)).toEqual({});
    expect(await read(chosen._id)).toEqual({ assigned: false, team_new_ticket: true });

    // Run again, as a crash between `up` and its record would: what users chose since stays.
    await old.db.collection('users').updateOne({ _id: missing._id }, { $set: { 'notify.mentioned': false } });
    await userNotificationPreferences.up({ db: old.db, logger: testLogger });
    expect(await read(missing._id)).toEqual({ mentioned: false });
    expect(await read(chosen._id)).toEqual({ assigned: false, team_new_ticket: true });
  });
});
