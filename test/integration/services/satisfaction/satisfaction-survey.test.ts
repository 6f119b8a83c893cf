import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySurveyToken } from '../../../../src/domain/satisfaction.js';
import { agentStartedOrigin } from '../../../../src/domain/ticket.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { afterAgentAction } from '../../../../src/services/lifecycle/plan-lifecycle.js';
import { planSurvey, SURVEY_JOB } from '../../../../src/services/satisfaction/plan-survey.js';
import { loadSurveyPage, rateTicket } from '../../../../src/services/satisfaction/rate-ticket.js';
import { sendSurvey } from '../../../../src/services/satisfaction/send-survey.js';
import { updateTicket } from '../../../../src/services/tickets/update-ticket.js';
import { rawMail } from '../../../helpers/mail.js';
import { DAY, lifecycleFixture } from '../lifecycle/lifecycle-fixture.js';

let fx: Awaited<ReturnType<typeof lifecycleFixture>>;
const T0 = new Date('2026-11-21T09:00:00Z');
const PUBLIC_URL = 'https://desk.example.test';
let n = 0;

const surveyDeps = () => ({ ...fx.deps, render: renderEmail, publicUrl: PUBLIC_URL });
const at = (ms: number) => (fx.clock.now = new Date(T0.getTime() + ms));
const solve = (id: Types.ObjectId) => updateTicket(fx.actions, fx.agent, id.toHexString(), { status: 'solved' });
/** The survey job planned for a ticket, run as the job worker would (its data as scheduled). */
const runSurvey = async (id: Types.ObjectId) => {
  const [job] = fx.scheduler.forTicket(SURVEY_JOB, id);
  if (!job) throw new Error('no survey job planned');
  return sendSurvey(surveyDeps(), { ticketId: new Types.ObjectId(String(job.data.ticketId)), solvedAt: Number(job.data.solvedAt) });
};
const surveysOf = (id: Types.ObjectId) => fx.models.Outbox.find({ ticketId: id, kind: 'satisfaction-survey' }).lean();
/** The three links of a survey mail, by rating, from its raw bytes (quoted-printable undone). */
const linksOf = (raw: Buffer) => {
  const text = raw.toString('utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  return Object.fromEntries(['good', 'okay', 'bad'].map((r) => [r, new RegExp(`${PUBLIC_URL}/satisfaction/([0-9a-z.]+)\\?rating=${r}`).exec(text)?.[1] ?? null]));
};

async function newTicket(from = `customer${++n}@customer.test`): Promise<Types.ObjectId> {
  fx.clock.now = T0;
  const result = await ingestEmail(fx.ingest, { inboxId: fx.inbox._id, raw: rawMail({ messageId: `survey-${++n}@customer.test`, from, body: 'Hello, the export does not work, please help.' }), source: null });
  if (result.outcome !== 'ticketed') throw new Error(result.outcome);
  return result.ticketId;
}

beforeAll(async () => {
  fx = await lifecycleFixture('satisfaction');
  await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { satisfaction: { enabled: true, mode: 'solved', delayHours: 24, askEveryDays: 30 } } });
  // The composition root's follow-up of an agent's change: lifecycle jobs, then the survey.
  fx.actions.afterAgentAction = async (id: Types.ObjectId) => {
    await afterAgentAction(fx.deps, id);
    await planSurvey(fx.deps, id);
  };
});
afterAll(() => fx.db.drop());

describe('the survey mail', () => {
  it('is queued once at the solve, in French for a French customer, as automated mail with three signed links', async () => {
    const id = await newTicket('marie@client.test');
    await fx.models.Contact.updateOne({ email: 'marie@client.test' }, { $set: { locale: 'fr' } });
    const solvedAt = at(3600_000);
    await solve(id);
    const [job] = fx.scheduler.forTicket(SURVEY_JOB, id);
    expect(job!.at).toEqual(solvedAt);

    expect(await runSurvey(id)).toBe('queued');
    const asked = (await fx.stores.satisfaction.findByTicket(id))!.askedAt;
    // The job run again (a retry, or planned again by a later change) queues nothing more and asks no later.
    at(2 * 3600_000);
    expect(await runSurvey(id)).toBe('queued');
    expect((await fx.stores.satisfaction.findByTicket(id))!.askedAt).toEqual(asked);
    const items = await surveysOf(id);
    expect(items).toHaveLength(1);
    const raw = items[0]!.raw!;
    const text = raw.toString('utf8');
    expect(text).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(items[0]!.envelope).toEqual({ from: '', to: ['marie@client.test'] });
    expect(text).toContain('Votre avis nous int');
    const links = linksOf(raw);
    for (const token of Object.values(links)) expect(verifySurveyToken(fx.deps.sign, token!, fx.clock.now)).toMatchObject({ ok: true, ticketId: id.toHexString(), solvedAt });
    expect(await fx.trail(id, 'satisfaction_survey_sent')).toHaveLength(1);
  });

  it('is not sent again to a customer this inbox asked within its N days', async () => {
    const first = await newTicket('paul@customer.test');
    at(1000);
    await solve(first);
    expect(await runSurvey(first)).toBe('queued');
    const second = await newTicket('paul@customer.test');
    at(10 * DAY);
    await solve(second);
    expect(await runSurvey(second)).toBe('asked-recently');
    expect(await surveysOf(second)).toHaveLength(0);
    expect((await fx.trail(second, 'satisfaction_survey_skipped'))[0]).toMatchObject({ data: { reason: 'asked-recently' } });
  });

  it('in delayed mode waits the hours, and sends nothing for a ticket reopened meanwhile', async () => {
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'satisfaction.mode': 'delayed', 'satisfaction.delayHours': 2 } });
    try {
      const id = await newTicket();
      const solvedAt = at(1000);
      await solve(id);
      const [job] = fx.scheduler.forTicket(SURVEY_JOB, id);
      expect(job!.at).toEqual(new Date(solvedAt.getTime() + 2 * 3600_000));
      at(3600_000);
      await updateTicket(fx.actions, fx.agent, id.toHexString(), { status: 'open' });
      // Reopening removes the job; a run that was already under way does nothing either.
      expect(fx.scheduler.forTicket(SURVEY_JOB, id)).toHaveLength(0);
      at(3 * 3600_000);
      expect(await sendSurvey(surveyDeps(), { ticketId: id, solvedAt: solvedAt.getTime() })).toBe('reopened');
      expect(await surveysOf(id)).toHaveLength(0);
    } finally {
      await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'satisfaction.mode': 'solved' } });
    }
  });

  it('is never planned when the inbox does not ask, and never sent for a ticket in spam or merged', async () => {
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'satisfaction.enabled': false } });
    const off = await newTicket();
    at(1000);
    await solve(off);
    expect(fx.scheduler.forTicket(SURVEY_JOB, off)).toHaveLength(0);
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'satisfaction.enabled': true } });

    const spam = await newTicket();
    at(1000);
    await solve(spam);
    await fx.models.Ticket.updateOne({ _id: spam }, { $set: { status: 'spam' } });
    expect(await runSurvey(spam)).toBe('reopened');
    expect(await surveysOf(spam)).toHaveLength(0);
  });
});

describe('who is never asked', () => {
  const solvedTicket = async (fields: Record<string, unknown>) => {
    const solvedAt = at(1000);
    const t = await fx.models.Ticket.create({ number: 9000 + ++n, inboxId: fx.inbox._id, subject: 'Hello', requester: { email: `x${n}@customer.test` }, status: 'solved', solvedAt, lastActivityAt: solvedAt, ...fields });
    return { id: t._id, solvedAt: solvedAt.getTime() };
  };

  it('a conversation an agent started that the customer never answered, or a bouncing address', async () => {
    const started = await solvedTicket({ originKey: agentStartedOrigin(fx.gina._id.toHexString(), 'req-1') });
    expect(await sendSurvey(surveyDeps(), { ticketId: started.id, solvedAt: started.solvedAt })).toBe('not-surveyable');
    const bouncing = await solvedTicket({});
    const email = (await fx.ticket(bouncing.id)).requester.email;
    await fx.models.Contact.create({ email, bounce: { bouncing: true } });
    expect(await sendSurvey(surveyDeps(), { ticketId: bouncing.id, solvedAt: bouncing.solvedAt })).toBe('not-surveyable');
    expect(await fx.models.Outbox.countDocuments({ ticketId: { $in: [started.id, bouncing.id] } })).toBe(0);
  });
});

describe('rating', () => {
  /** A solved ticket whose survey was mailed; its token from the mail. */
  async function surveyed(): Promise<{ id: Types.ObjectId; token: string }> {
    const id = await newTicket();
    at(1000);
    await solve(id);
    expect(await runSurvey(id)).toBe('queued');
    const [item] = await surveysOf(id);
    return { id, token: linksOf(item!.raw!).good! };
  }
  const deps = () => ({ ...fx.deps, ...fx.actions, sign: fx.deps.sign, now: () => fx.clock.now });

  it('reading the page records nothing; confirming records it on the survey, the ticket and the trail', async () => {
    const { id, token } = await surveyed();
    const page = await loadSurveyPage(deps(), token);
    expect(page).toMatchObject({ state: 'open', rating: null, rated: false });
    expect((await fx.stores.satisfaction.findByTicket(id))!.rating).toBeNull();
    expect((await fx.ticket(id)).satisfaction).toBeUndefined();

    const ratedAt = at(DAY);
    expect(await rateTicket(deps(), token, { rating: 'okay', comment: '  Slow but fine  ' })).toMatchObject({ state: 'rated', rating: 'okay' });
    expect(await fx.stores.satisfaction.findByTicket(id)).toMatchObject({ rating: 'okay', comment: 'Slow but fine', ratedAt, changedAt: null, email: expect.stringMatching(/@customer\.test$/) });
    expect((await fx.ticket(id)).satisfaction).toEqual({ rating: 'okay', at: ratedAt });
    expect((await fx.trail(id, 'satisfaction_rated'))[0]).toMatchObject({ actor: { kind: 'contact' }, data: { rating: 'okay', comment: 'Slow but fine', changed: false } });
  });

  it('may be changed within 7 days of the first rating, then the page is closed', async () => {
    const { id, token } = await surveyed();
    at(DAY);
    await rateTicket(deps(), token, { rating: 'okay', comment: '' });
    const changedAt = at(DAY + 6 * DAY);
    expect(await rateTicket(deps(), token, { rating: 'good', comment: 'Fixed after all' })).toMatchObject({ state: 'changed' });
    expect(await fx.stores.satisfaction.findByTicket(id)).toMatchObject({ rating: 'good', changedAt });
    at(DAY + 7 * DAY);
    expect(await loadSurveyPage(deps(), token)).toMatchObject({ state: 'closed', rating: 'good' });
    expect(await rateTicket(deps(), token, { rating: 'bad', comment: '' })).toMatchObject({ state: 'closed' });
    expect((await fx.stores.satisfaction.findByTicket(id))!.rating).toBe('good');
  });

  it('refuses a forged or expired link and a missing rating', async () => {
    const { token } = await surveyed();
    expect(await loadSurveyPage(deps(), `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`)).toEqual({ state: 'invalid' });
    expect(await rateTicket(deps(), token, { rating: 'great', comment: '' })).toMatchObject({ state: 'no-rating' });
    at(31 * DAY);
    expect(await loadSurveyPage(deps(), token)).toEqual({ state: 'expired' });
  });

  it('a bad rating notifies the managers of the assignee\'s team, not the agents', async () => {
    const max = await fx.models.User.create({ email: 'max@example.test', name: 'Max', role: 'manager', inboxIds: [fx.inbox._id], passwordHash: 'x' });
    const other = await fx.models.User.create({ email: 'olga@example.test', name: 'Olga', role: 'agent', inboxIds: [fx.inbox._id], passwordHash: 'x' });
    await fx.models.Team.create({ name: 'Front', level: 'L1', memberIds: [fx.gina._id, max._id, other._id], inboxIds: [fx.inbox._id] });
    const { id, token } = await surveyed();
    await fx.models.Ticket.updateOne({ _id: id }, { $set: { assigneeId: fx.gina._id } });
    at(DAY);
    await rateTicket(deps(), token, { rating: 'bad', comment: 'Nobody read my mail' });
    const sent = await fx.models.Notification.find({ ticketId: id, kind: 'bad_rating' }).lean();
    expect(sent.map((s) => String(s.userId))).toEqual([String(max._id)]);
    expect((await fx.ticket(id)).satisfaction?.rating).toBe('bad');
  });
});
