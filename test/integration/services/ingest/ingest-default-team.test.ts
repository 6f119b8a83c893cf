import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
beforeAll(async () => {
  fx = await ingestFixture('ingest_team');
});
afterAll(() => fx.db.drop());

describe('a new ticket’s team', () => {
  it('is its inbox’s default team, and its access keys name the inbox and the team', async () => {
    const first = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ messageId: 'no-team@customer.test', subject: 'Before' }), source: null });
    const before = await fx.models.Ticket.findById((first as { ticketId: unknown }).ticketId).lean();
    expect(before).toMatchObject({ teamId: null, access: [`inbox:${fx.inbox._id.toHexString()}`] });

    const team = await fx.models.Team.create({ name: 'Accueil', level: 'L1', inboxIds: [fx.inbox._id] });
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { defaultTeamId: team._id } });
    const second = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ messageId: 'team@customer.test', subject: 'After' }), source: null });
    const after = await fx.models.Ticket.findById((second as { ticketId: unknown }).ticketId).lean();
    expect(after!.teamId?.toHexString()).toBe(team._id.toHexString());
    expect(after!.access).toEqual([`inbox:${fx.inbox._id.toHexString()}`, `team:${team._id.toHexString()}`]);
  });
});
