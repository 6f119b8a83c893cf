import { Types } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { ticketTeams } from '../../../src/store/migrations/0003-ticket-teams.js';
import { MIGRATIONS } from '../../../src/store/migrations/registry.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

const opened: Array<{ drop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.drop()));
});

const account = { host: 'h', port: 993, secure: true, user: null, passwordSealed: null };
const inbox = (address: string, extra: Record<string, unknown> = {}) => ({
  _id: new Types.ObjectId(),
  name: address,
  address,
  defaultLocale: 'en',
  imap: { ...account, folder: 'INBOX' },
  smtp: account,
  options: { markSeen: false },
  autoReply: { enabled: false, overrides: { en: { subject: null, template: null }, fr: { subject: null, template: null } } },
  branding: {},
  ...extra,
});
let n = 0;
const ticket = (inboxId: Types.ObjectId, extra: Record<string, unknown> = {}) => ({
  _id: new Types.ObjectId(),
  number: ++n,
  inboxId,
  subject: `Ticket ${n}`,
  status: 'open',
  requester: { email: 'c@customer.test' },
  lastActivityAt: new Date(),
  ...extra,
});

describe('0003-ticket-teams: tickets from before teams', () => {
  it('get their inbox’s default team and their access keys; a second run changes nothing', async () => {
    const old = await previousRelease('ticket_teams', 2);
    opened.push(old);
    const level1 = new Types.ObjectId();
    const withTeam = inbox('help@acme.test', { defaultTeamId: level1 });
    const without = inbox('billing@acme.test');
    await old.db.collection('inboxes').insertMany([withTeam, without]);
    const a = ticket(withTeam._id);
    const b = ticket(without._id);
    await old.db.collection('tickets').insertMany([a, b]);

    const outcome = await old.upgrade();
    // This one, then whatever later releases added.
    expect(outcome.applied.map((x) => x.name)).toEqual(MIGRATIONS.filter((m) => m.version >= 3).map((m) => m.name));
    expect(outcome.applied[0]!.name).toBe('ticket-teams');

    const read = (id: Types.ObjectId) => old.db.collection('tickets').findOne({ _id: id }, { projection: { _id: 0, teamId: 1, access: 1 } });
    expect(await read(a._id)).toEqual({ teamId: level1, access: [`inbox:${withTeam._id.toHexString()}`, `team:${level1.toHexString()}`] });
    expect(await read(b._id)).toEqual({ teamId: null, access: [`inbox:${without._id.toHexString()}`] });
    const indexes = await old.db.collection('tickets').listIndexes().toArray();
    expect(indexes.map((ix) => ix.key)).toContainEqual({ access: 1, lastActivityAt: -1, _id: -1 });

    // Run again, as a crash between `up` and its record would: tickets keep what they have.
    await old.db.collection('inboxes').updateOne({ _id: withTeam._id }, { $set: { defaultTeamId: new Types.ObjectId() } });
    await ticketTeams.up({ db: old.db, logger: testLogger });
    expect(await read(a._id)).toEqual({ teamId: level1, access: [`inbox:${withTeam._id.toHexString()}`, `team:${level1.toHexString()}`] });
  });
});
