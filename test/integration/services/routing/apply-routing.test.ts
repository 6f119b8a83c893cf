import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../../../src/services/access.js';
import { followUpIngest } from '../../../../src/services/ingest/ingest-follow-up.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { applyRouting, ROUTING_JOB, type ApplyRoutingDeps } from '../../../../src/services/routing/apply-routing.js';
import { createRoutingRule } from '../../../../src/services/routing/create-routing-rule.js';
import { deleteRoutingRule } from '../../../../src/services/routing/delete-routing-rule.js';
import { dryRunRoutingRule } from '../../../../src/services/routing/dry-run-routing-rule.js';
import { updateRoutingRule } from '../../../../src/services/routing/update-routing-rule.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { memoryJobQueue } from '../../../helpers/job-queue.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose } from '../../../helpers/use-case-deps.js';

// Routing rules through real ingest: the follow-up work queues one routing job per received mail,
// the job applies the rules' actions with the rule's name on the trail, once, and on replies only
// for rules that ask for it.
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: ApplyRoutingDeps;
const queue = memoryJobQueue();
const billing = new Types.ObjectId();
const support = new Types.ObjectId();
const autoAssigned: Array<{ ticketId: string; teamId: string }> = [];
const slaRefreshed: string[] = [];
const rules: Record<string, string> = {};

const ingest = async (raw: Buffer) => {
  const r = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
  if (r.outcome !== 'ticketed') throw new Error(JSON.stringify(r));
  return r;
};
const runJobs = () => queue.runDue(fx.clock.now, { [ROUTING_JOB]: (data) => applyRouting(deps, new Types.ObjectId(String(data.key))) });
const routed = (ticketId: Types.ObjectId) => fx.models.TicketEvent.find({ ticketId, type: 'routed' }).sort({ _id: 1 }).lean();
const date = () => fx.clock.now.toUTCString();

beforeAll(async () => {
  fx = await ingestFixture('routing_apply');
  fx.deps.followUp = (tickets) =>
    followUpIngest({ ...fx.stores, scheduler: queue.scheduler, compose, sign: fx.deps.sign, now: fx.deps.now, logger: testLogger, render: async () => ({ subject: '', html: '', text: '' }), ticketUrlBase: null }, tickets);
  deps = {
    ...fx.stores,
    blobs: fx.deps.blobs,
    refreshSla: async (id) => void slaRefreshed.push(id.toHexString()),
    autoAssign: async (ticketId, teamId) => void autoAssigned.push({ ticketId: ticketId.toHexString(), teamId: teamId.toHexString() }),
    logger: testLogger,
    now: fx.deps.now,
  };
  await fx.models.Team.create([
    { _id: billing, name: 'Billing', level: 'L2', inboxIds: [fx.inbox._id], memberIds: [] },
    { _id: support, name: 'Support desk', level: 'L1', inboxIds: [fx.inbox._id], memberIds: [] },
  ]);
  const create = async (input: Record<string, unknown>) => (rules[input.name as string] = (await createRoutingRule(fx.stores, OPERATOR, input)).id);
  await create({ name: 'Invoices to billing', conditions: [{ kind: 'subject', words: ['facture', 'invoice'] }], actions: [{ kind: 'team', teamId: billing.toHexString() }, { kind: 'tags', tags: ['Billing'] }, { kind: 'autoAssign', teamId: null }] });
  await create({ name: 'Urgent replies', onReplies: true, conditions: [{ kind: 'body', words: ['urgent'] }], actions: [{ kind: 'impactUrgency', impact: 'high', urgency: 'high' }, { kind: 'tags', tags: ['escalade'] }] });
  await create({ name: 'Flagged by the mailer', conditions: [{ kind: 'header', name: 'X-Priority', op: 'contains', value: '1' }], actions: [{ kind: 'tags', tags: ['mailer-priority'] }], stop: true });
  await create({ name: 'Everything else to support', conditions: [], actions: [{ kind: 'team', teamId: support.toHexString() }] });
});
afterAll(() => fx.db.drop());

describe('routing received mail', () => {
  it('queues one routing job per new ticket and applies the matching rules, each action on the trail with its rule', async () => {
    const { ticketId, messageDocId } = await ingest(rawMail({ messageId: 'inv-1@customer.test', subject: 'Deux FACTURES reçues', body: 'Bonjour, j’ai reçu deux factures pour le même mois.', date: date() }));
    expect(queue.pending(ROUTING_JOB).map((j) => j.key)).toEqual([messageDocId.toHexString()]);
    await runJobs();
    const ticket = await fx.models.Ticket.findById(ticketId).lean();
    // "Invoices to billing" set the team first; "Everything else" matched too but the team was decided.
    expect(ticket).toMatchObject({ teamId: billing, tags: ['billing'] });
    const events = await routed(ticketId);
    expect(events.map((e) => [e.data.rule, e.data.action])).toEqual([
      ['Invoices to billing', 'team'],
      ['Invoices to billing', 'tags'],
      ['Invoices to billing', 'autoAssign'],
    ]);
    expect(events[0]).toMatchObject({ actor: { kind: 'system', label: 'routing' }, data: { name: 'Billing', level: 'L2' } });
    // Auto-assignment is asked of the ticket's team as routing left it; the team change re-plans the SLA.
    expect(autoAssigned).toEqual([{ ticketId: ticketId.toHexString(), teamId: billing.toHexString() }]);
    expect(slaRefreshed).toContain(ticketId.toHexString());
    expect((await fx.models.Message.findById(messageDocId).lean())?.routedAt).toBeInstanceOf(Date);
  });

  it('applies nothing twice: a marked mail is skipped, and a run cut before the mark changes nothing more', async () => {
    const { ticketId, messageDocId } = await ingest(rawMail({ messageId: 'inv-2@customer.test', subject: 'Invoice 2026-031', date: date() }));
    await runJobs();
    const before = await routed(ticketId);
    expect(await applyRouting(deps, messageDocId)).toEqual({ outcome: 'skipped', reason: 'already-routed' });
    // As if the worker died after writing, before marking the mail routed.
    await fx.models.Message.updateOne({ _id: messageDocId }, { $set: { routedAt: null } });
    autoAssigned.length = 0;
    await fx.models.Ticket.updateOne({ _id: ticketId }, { $set: { assigneeId: new Types.ObjectId() } });
    const again = await applyRouting(deps, messageDocId);
    expect(again).toMatchObject({ outcome: 'routed', applied: 0 });
    expect((await routed(ticketId)).map((e) => String(e._id))).toEqual(before.map((e) => String(e._id)));
    expect((await fx.models.Ticket.findById(ticketId).lean())?.tags).toEqual(['billing']);
    expect(autoAssigned).toEqual([]);
  });

  it('runs on a customer reply only the rules marked for replies', async () => {
    const { ticketId } = await ingest(rawMail({ messageId: 'q-1@customer.test', subject: 'A question about my invoice', date: date() }));
    await runJobs();
    const reply = await ingest(rawMail({ messageId: 'q-2@customer.test', inReplyTo: 'q-1@customer.test', references: ['q-1@customer.test'], subject: 'Re: A question about my invoice', body: 'This is urgent now, the invoice is still wrong.', date: date() }));
    expect(reply.created).toBe(false);
    await fx.models.Ticket.updateOne({ _id: ticketId }, { $set: { teamId: support } });
    await runJobs();
    const ticket = await fx.models.Ticket.findById(ticketId).lean();
    // "Invoices to billing" (new tickets only) did not move it back; "Urgent replies" ran.
    expect(ticket).toMatchObject({ teamId: support, impact: 'high', urgency: 'high', priority: 'urgent', tags: ['billing', 'escalade'] });
    const onReply = (await routed(ticketId)).filter((e) => String(e.data.messageId) === reply.messageDocId.toHexString());
    expect(onReply.map((e) => [e.data.rule, e.data.action])).toEqual([['Urgent replies', 'impactUrgency'], ['Urgent replies', 'tags']]);
  });

  it('reads headers from the raw mail, and "stop here" keeps later rules from running', async () => {
    const { ticketId } = await ingest(rawMail({ messageId: 'hdr-1@customer.test', subject: 'Printer', headers: ['X-Priority: 1 (Highest)'], date: date() }));
    await runJobs();
    const ticket = await fx.models.Ticket.findById(ticketId).lean();
    expect(ticket?.tags).toEqual(['mailer-priority']);
    // "Everything else to support" comes after the stopping rule: the inbox's default (none) stays.
    expect(ticket?.teamId ?? null).toBeNull();
  });

  it('reads the customer’s language as ingest detected it from their mail', async () => {
    const french = (await createRoutingRule(fx.stores, OPERATOR, { name: 'French speakers', conditions: [{ kind: 'language', languages: ['fr'] }], actions: [{ kind: 'tags', tags: ['fr'] }] })).id;
    try {
      const fr = await ingest(rawMail({ messageId: 'lang-fr@customer.test', from: 'Luc <luc@client.test>', subject: 'Imprimante', body: 'Bonjour, notre imprimante ne fonctionne plus depuis hier matin, pouvez-vous nous aider s’il vous plaît ? Merci beaucoup.', date: date() }));
      const en = await ingest(rawMail({ messageId: 'lang-en@customer.test', from: 'Amy <amy@client.test>', subject: 'Printer', body: 'Hello, our printer has stopped working since yesterday morning, could you please help us with it? Thank you very much.', date: date() }));
      await runJobs();
      expect((await fx.models.Ticket.findById(fr.ticketId).lean())?.tags).toContain('fr');
      expect((await fx.models.Ticket.findById(en.ticketId).lean())?.tags).not.toContain('fr');
    } finally {
      await deleteRoutingRule(fx.stores, OPERATOR, french);
    }
  });

  it('leaves a disabled rule out', async () => {
    await updateRoutingRule(fx.stores, OPERATOR, rules['Everything else to support']!, { enabled: false });
    try {
      const { ticketId } = await ingest(rawMail({ messageId: 'plain-1@customer.test', subject: 'Hello', date: date() }));
      await runJobs();
      expect(await routed(ticketId)).toEqual([]);
    } finally {
      await updateRoutingRule(fx.stores, OPERATOR, rules['Everything else to support']!, { enabled: true });
    }
  });
});

describe('the dry-run', () => {
  it('lists the recent tickets a rule would match and what it would change, and changes nothing', async () => {
    const before = await fx.models.TicketEvent.countDocuments({});
    const run = await dryRunRoutingRule({ ...fx.stores, blobs: fx.deps.blobs }, OPERATOR, rules['Everything else to support']!);
    expect(run.examined).toBe(await fx.models.Ticket.countDocuments({ mergedIntoId: null }));
    // Every ticket matches a rule without conditions; the ones already in Support would not change.
    expect(run.matches).toHaveLength(run.examined);
    const invoice = run.matches.find((m) => m.subject === 'Deux FACTURES reçues');
    expect(invoice?.changes).toEqual([{ action: 'team', detail: { from: billing.toHexString(), to: support.toHexString(), name: 'Support desk', level: 'L1' } }]);
    const question = run.matches.find((m) => m.subject === 'A question about my invoice');
    expect(question?.changes).toEqual([]);
    const words = await dryRunRoutingRule({ ...fx.stores, blobs: fx.deps.blobs }, OPERATOR, rules['Invoices to billing']!);
    expect(words.matches.map((m) => m.subject).sort()).toEqual(['A question about my invoice', 'Deux FACTURES reçues', 'Invoice 2026-031']);
    expect(await fx.models.TicketEvent.countDocuments({})).toBe(before);
  });

  it('is for admins', async () => {
    const manager = { userId: new Types.ObjectId(), role: 'manager' as const, inboxIds: [fx.inbox._id] };
    await expect(dryRunRoutingRule({ ...fx.stores, blobs: fx.deps.blobs }, manager, rules['Invoices to billing']!)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

// After the dry-run, whose list of recent tickets this one would join.
describe('notifications of a routed ticket', () => {
  it('tells the team a rule chose of the new ticket, as ingest told the inbox\'s team', async () => {
    const member = await fx.models.User.create({ email: 'bea@acme.test', name: 'Bea', role: 'agent', inboxIds: [fx.inbox._id], passwordHash: 'x' });
    await fx.models.Team.updateOne({ _id: billing }, { $set: { memberIds: [member._id] } });
    const notify = { ...fx.stores, scheduler: queue.scheduler, compose, sign: fx.deps.sign, now: fx.deps.now, logger: testLogger, render: async () => ({ subject: '', html: '', text: '' }), ticketUrlBase: null };
    const { ticketId, messageDocId } = await ingest(rawMail({ messageId: 'inv-notify@customer.test', subject: 'Invoice for March', date: date() }));
    await applyRouting({ ...deps, notify }, messageDocId);
    expect((await fx.models.Ticket.findById(ticketId).lean())?.teamId).toEqual(billing);
    const told = await fx.models.Notification.find({ userId: member._id, kind: 'team_new_ticket' }).lean();
    expect(told.map((n) => String(n.ticketId))).toEqual([ticketId.toHexString()]);
  });
});
