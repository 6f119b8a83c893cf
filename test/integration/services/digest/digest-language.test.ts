import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { sendDigest, type DigestDeps } from '../../../../src/services/digest/send-digest.js';
import { deliverNotifications } from '../../../../src/services/notifications/deliver-notifications.js';
import type { LocaleDefaults } from '../../../../src/services/outbound/render-types.js';
import { refreshSla, runSlaTimer, type SlaDeps } from '../../../../src/services/sla/refresh-sla.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
const d = (iso: string) => new Date(iso);

beforeAll(async () => {
  fx = await ingestFixture('mail_language');
});
afterAll(() => fx.db.drop());

function deps(localeDefaults: LocaleDefaults): SlaDeps & DigestDeps {
  return { ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now, render: renderEmail, logger: testLogger, ticketUrlBase: null, localeDefaults };
}

/** What was queued under this dedupe key, as the recipient's mail program reads it. */
async function queued(filter: Record<string, unknown>) {
  const items = await fx.models.Outbox.find(filter).sort({ dedupeKey: 1 }).lean();
  return Promise.all(
    items.map(async (item) => {
      const raw = Buffer.isBuffer(item.raw) ? item.raw : Buffer.from((item.raw as unknown as { buffer: Uint8Array }).buffer);
      const mail = await parseMail(raw, { maxBytes: 10 * 1024 * 1024 });
      return { to: item.envelope.to, subject: item.subject, text: mail.text ?? '', html: mail.html ?? '' };
    }),
  );
}

describe('manager and agent mail in the recipient’s language and time zone', () => {
  it('sends a French digest to a manager whose language is French, with times in their zone', async () => {
    fx.clock.now = d('2026-11-21T09:00:00Z');
    const ticket = await fx.models.Ticket.create({ number: 501, inboxId: fx.inbox._id, subject: 'Imprimante en feu', requester: { email: 'c@client.test' }, status: 'open', createdAt: d('2026-11-18T10:00:00Z') });
    await fx.models.TicketEvent.create({ ticketId: ticket._id, type: 'sla_breached', at: d('2026-11-20T16:00:00Z'), actor: { kind: 'system' }, data: { clock: 'firstResponse' } });
    const digest = { enabled: true, cron: '0 8 * * 1-5', timeZone: 'Europe/Paris', inboxIds: [], lastSentAt: d('2026-11-14T09:00:00Z') };
    const mia = await fx.models.User.create({ email: 'mia@acme.test', name: 'Mia', role: 'manager', inboxIds: [fx.inbox._id], passwordHash: 'x', locale: 'fr', timeZone: 'America/Montreal', digest });

    const { report } = await sendDigest(deps({ locale: 'en', timeZone: null }), mia._id);
    expect(report.timeZone).toBe('America/Montreal');
    const [mail] = await queued({ kind: 'digest', 'envelope.to': 'mia@acme.test' });
    expect(mail!.subject).toBe('Récapitulatif du support\u00a0: 14–21 nov. 2026');
    expect(mail!.text).toContain('Bonjour Mia, voici le récapitulatif du support (14–21 nov. 2026).');
    // 16:00 UTC is 11:00 in Montreal.
    expect(mail!.text).toContain('n°\u00a0501 Imprimante en feu (première réponse, dépassé le 20 nov. 2026, 11:00)');
    expect(mail!.text).toContain('heures du fuseau America/Montreal');
    expect(mail!.html).toMatch(/<html lang="fr"/);
    expect(`${mail!.subject}${mail!.text}${mail!.html}`).not.toMatch(/mail:|Helpdesk digest|breached/);
  });

  it('falls back to the instance’s language, and to the digest schedule’s zone before the instance’s', async () => {
    fx.clock.now = d('2026-11-21T09:00:00Z');
    const digest = { enabled: true, cron: '0 8 * * 1-5', timeZone: 'Asia/Tokyo', inboxIds: [], lastSentAt: d('2026-11-14T09:00:00Z') };
    const noah = await fx.models.User.create({ email: 'noah@acme.test', name: 'Noah', role: 'manager', inboxIds: [fx.inbox._id], passwordHash: 'x', digest });
    await sendDigest(deps({ locale: 'fr', timeZone: 'Europe/Paris' }), noah._id);
    const [mail] = await queued({ kind: 'digest', 'envelope.to': 'noah@acme.test' });
    expect(mail!.subject).toMatch(/^Récapitulatif du support/);
    // 16:00 UTC is 01:00 the next day in Tokyo.
    expect(mail!.text).toContain('dépassé le 21 nov. 2026, 01:00');
  });

  it('sends an SLA reminder to each agent in their language and zone: one mail per person', async () => {
    fx.clock.now = d('2026-11-21T09:00:00Z');
    const targets = { firstResponseSeconds: 3600, nextResponseSeconds: null, resolutionSeconds: null };
    await fx.models.Inbox.updateOne(
      { _id: fx.inbox._id },
      { $set: { sla: { targets: { low: targets, normal: targets, high: targets, urgent: targets }, businessHours: null, reminderAtFraction: 0.5, ladder: [] } } },
    );
    const agent = (email: string, extra: Record<string, unknown>) => fx.models.User.create({ email, role: 'agent', inboxIds: [fx.inbox._id], passwordHash: 'x', ...extra });
    await agent('lea@acme.test', { name: 'Léa', locale: 'fr', timeZone: 'Europe/Paris' });
    await agent('hugo@acme.test', { name: 'Hugo', locale: 'fr', timeZone: 'Europe/Paris' });
    await agent('ann@acme.test', { name: 'Ann', timeZone: 'America/New_York' });
    const ticket = await fx.models.Ticket.create({ number: 502, inboxId: fx.inbox._id, subject: 'Commande bloquée', requester: { email: 'c@client.test' }, status: 'new', createdAt: d('2026-11-21T08:20:00Z') });

    const sla = deps({ locale: 'en', timeZone: null });
    await refreshSla(sla, ticket._id as Types.ObjectId);
    const kinds: string[] = [];
    for (let i = 0; i < 3 && !kinds.includes('reminder'); i++) kinds.push(await runSlaTimer(sla, ticket._id as Types.ObjectId));
    expect(kinds).toContain('reminder');
    // A reminder is a notification: each person's mail job mails it once the run's other events had time to join it.
    fx.clock.now = d('2026-11-21T09:00:10Z');
    const mailDeps = { ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now, render: renderEmail, ticketUrlBase: null, localeDefaults: { locale: 'en' as const, timeZone: null } };
    const people = ['lea@acme.test', 'hugo@acme.test', 'ann@acme.test'];
    for (const email of people) await deliverNotifications(mailDeps, (await fx.models.User.findOne({ email }).lean())!._id);
    const mails = await queued({ kind: 'notification', 'envelope.to': { $in: people } });
    expect(mails.map((m) => m.to)).toEqual(expect.arrayContaining(people.map((p) => [p])));
    const fr = mails.find((m) => m.to.includes('lea@acme.test'))!;
    const en = mails.find((m) => m.to.includes('ann@acme.test'))!;
    expect(mails.find((m) => m.to.includes('hugo@acme.test'))!.subject).toBe(fr.subject);
    expect(fr.subject).toMatch(/^Demande n°\u00a0502\u00a0: le délai de première réponse expire dans \d+\u00a0min$/);
    // Due at 09:20 UTC: 10:20 in Paris, 04:20 in New York.
    expect(fr.text).toContain('Échéance\u00a0: 21 nov. 2026, 10:20 (fuseau Europe/Paris)');
    expect(fr.html).toMatch(/<html lang="fr"/);
    expect(en.to).toEqual(['ann@acme.test']);
    expect(en.subject).toMatch(/^Ticket #502 will breach first response in \d+ min$/);
    expect(en.text).toContain('Due: Nov 21, 2026, 4:20 AM (America/New_York)');
  });
});
