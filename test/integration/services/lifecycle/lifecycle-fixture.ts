import { Types } from 'mongoose';
import type { JobScheduler } from '../../../../src/services/ports.js';
import { followUpIngest } from '../../../../src/services/ingest/ingest-follow-up.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { afterAgentAction } from '../../../../src/services/lifecycle/plan-lifecycle.js';
import type { TicketEventType } from '../../../../src/domain/ticket-events.js';
import type { Actor } from '../../../../src/services/access.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose } from '../../../helpers/use-case-deps.js';

/** A pending job as the scheduler holds it. */
export interface RecordedJob {
  key: string;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * The JobScheduler port kept in memory with the semantics of the Agenda one (a key is one job; a
 * replacement removes the jobs not wanted): the tests read what is planned and run the handlers
 * themselves, with the clock they choose.
 */
export class RecordingScheduler implements JobScheduler {
  readonly jobs = new Map<string, Map<string, RecordedJob>>();

  private of(name: string): Map<string, RecordedJob> {
    let jobs = this.jobs.get(name);
    if (!jobs) this.jobs.set(name, (jobs = new Map()));
    return jobs;
  }

  async schedule(name: string, opts: { key?: string; at?: Date; data?: Record<string, unknown> }): Promise<void> {
    const key = opts.key ?? String(Math.random());
    this.of(name).set(key, { key, at: opts.at ?? new Date(), data: { ...opts.data } });
  }

  async cancel(name: string, key: string): Promise<void> {
    this.of(name).delete(key);
  }

  async cancelMatching(name: string, data: Record<string, string | readonly string[]>): Promise<void> {
    for (const [key, job] of this.of(name)) {
      const matches = Object.entries(data).every(([k, v]) => (typeof v === 'string' ? job.data[k] === v : v.includes(String(job.data[k]))));
      if (matches) this.of(name).delete(key);
    }
  }

  async replaceMatching(name: string, field: string, values: readonly string[], wanted: ReadonlyArray<{ key: string; at: Date; data: Record<string, string> }>): Promise<void> {
    const keys = new Set(wanted.map((w) => w.key));
    for (const [key, job] of this.of(name)) if (values.includes(String(job.data[field])) && !keys.has(key)) this.of(name).delete(key);
    for (const w of wanted) this.of(name).set(w.key, { key: w.key, at: w.at, data: { ...w.data } });
  }

  async scheduleRecurring(name: string, opts: { key: string }): Promise<void> {
    this.of(name).set(opts.key, { key: opts.key, at: new Date(0), data: { key: opts.key } });
  }

  /** The pending jobs of `name` for one ticket. */
  forTicket(name: string, ticketId: Types.ObjectId): RecordedJob[] {
    return [...this.of(name).values()].filter((j) => j.data.ticketId === ticketId.toHexString());
  }
}

export const DAY = 86_400_000;

/**
 * A test database with one inbox ("Support", default lifecycle settings), ingest wired to its real
 * follow-up (SLA clocks, snooze wake-up, lifecycle planning), a movable clock, a recording scheduler,
 * and Gina, an agent of the inbox.
 */
export async function lifecycleFixture(prefix: string) {
  const fx = await ingestFixture(prefix);
  const scheduler = new RecordingScheduler();
  const now = () => fx.clock.now;
  const deps = {
    ...fx.db.stores,
    scheduler,
    now,
    compose,
    sign: fx.deps.sign,
    // Mail is laid out as given: these tests look at tickets, jobs and notifications, not at mail.
    render: async (_name: string, data: Record<string, unknown>) => ({ subject: 'Re: Printer is on fire', text: String(data.body ?? ''), html: `<p>${String(data.body ?? '')}</p>` }),
    logger: testLogger,
    ticketUrlBase: null,
    refreshSla: async () => {},
  };
  const actions = { ...deps, afterAgentAction: (id: Types.ObjectId) => afterAgentAction(deps, id) };
  fx.deps.followUp = (tickets) => followUpIngest(deps, tickets);
  const gina = await fx.models.User.create({ email: 'gina@example.test', name: 'Gina', role: 'agent', inboxIds: [fx.inbox._id], passwordHash: 'x' });
  const agent: Actor = { userId: gina._id, role: 'agent', inboxIds: [fx.inbox._id], teamIds: [] };
  /** A customer's mail: a new ticket, or (`inReplyTo`) a reply in an existing conversation. */
  const mail = async (opts: { messageId: string; inReplyTo?: string; body?: string }) => {
    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ messageId: opts.messageId, ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo, subject: 'Re: Printer is on fire' } : {}), body: opts.body ?? 'Hello, it does not work at all, please help me with it.' }), source: null });
    if (result.outcome !== 'ticketed') throw new Error(`the mail was not ticketed: ${result.outcome}`);
    return result.ticketId;
  };
  const ticket = async (id: Types.ObjectId) => (await fx.models.Ticket.findById(id).lean())!;
  const trail = async (id: Types.ObjectId, type?: TicketEventType) => (await fx.models.TicketEvent.find({ ticketId: id, ...(type ? { type } : {}) }).sort({ at: 1, _id: 1 }).lean());
  // `ingest`: the pipeline's own dependencies (wired to the follow-up above), for mail `mail` cannot write.
  return { ...fx, ingest: fx.deps, scheduler, deps, actions, gina, agent, mail, ticket, trail, otherId: () => new Types.ObjectId() };
}
