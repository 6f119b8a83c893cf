import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { renderEmail } from '../../../src/mail/render-email.js';
import { buildDigest } from '../../../src/services/digest/build-digest.js';
import { deliverNotifications } from '../../../src/services/notifications/deliver-notifications.js';
import { notify } from '../../../src/services/notifications/notify.js';
import { createSigner } from '../../../src/store/secret-box.js';
import { TEST_SECRET_KEY } from '../../helpers/api.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';
import { startPagesWithManager, type Client } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPagesWithManager>>['h'];
let manager: Client;
const inboxId = new Types.ObjectId();
const hour = 3600_000;
/** Every link to a ticket page in a mail's HTML, unescaped. */
const ticketLinks = (html: string, base: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).filter((url) => url.startsWith(`${base}/tickets/`));

beforeAll(async () => {
  ({ h, manager } = await startPagesWithManager(inboxId));
});
afterAll(() => h.close());

describe('ticket links in mail', () => {
  it('open the ticket page: the digest and notification links answer 200, by id', async () => {
    const now = new Date();
    const ticket = (number: number, subject: string, fields: Record<string, unknown> = {}) =>
      h.models.Ticket.create({ number, inboxId, subject, requester: { email: 'c@customer.test' }, status: 'open', lastActivityAt: now, createdAt: new Date(now.getTime() - 3 * hour), ...fields });
    const breached = await ticket(41, 'Breached one');
    const dueSoon = await ticket(42, 'Due soon', { sla: { firstResponseDueAt: new Date(now.getTime() + hour) } });
    await h.models.TicketEvent.create({ ticketId: breached._id, type: 'sla_breached', at: new Date(now.getTime() - hour), actor: { kind: 'system' }, data: { clock: 'firstResponse' } });
    const mia = (await h.models.User.findOne({ email: 'mia@example.test' }).lean())!;

    const report = await buildDigest(h.stores, { user: mia, since: new Date(now.getTime() - 24 * hour), until: now, ticketUrlBase: `${h.base}/tickets/` });
    const digest = await renderEmail('digest', { ...report });
    const digestLinks = ticketLinks(digest.html, h.base);
    expect(new Set(digestLinks)).toEqual(new Set([breached, dueSoon].map((t) => `${h.base}/tickets/${t._id.toHexString()}`)));

    // A notification summary about both, queued as the mail job would.
    const at = now;
    await notify({ ...h.stores, scheduler: noJobs, now: () => at }, [breached, dueSoon].map((t) => ({ kind: 'assigned' as const, key: `links:${t.id}`, ticket: t, at, data: {}, userIds: [mia._id] })));
    const later = new Date(at.getTime() + 10_000);
    await deliverNotifications({ ...h.stores, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), now: () => later, render: renderEmail, ticketUrlBase: `${h.base}/tickets/` }, mia._id);
    const item = (await h.models.Outbox.findOne({ kind: 'notification', 'envelope.to': 'mia@example.test' }).lean())!;
    const raw = Buffer.isBuffer(item.raw) ? item.raw : Buffer.from((item.raw as unknown as { buffer: Uint8Array }).buffer);
    const mailLinks = ticketLinks((await parseMail(raw, { maxBytes: 5e6 })).html!, h.base);
    expect(mailLinks).toHaveLength(2);

    for (const url of [...digestLinks, ...mailLinks]) {
      const page = await manager.get(url.slice(h.base.length));
      expect(`${url} ${page.status}`).toBe(`${url} 200`);
      expect(page.text).toMatch(/Breached one|Due soon/);
    }
    // What the links used to be: the number answers 404.
    expect((await manager.get(`/tickets/${breached.number}`)).status).toBe(404);
  });
});
