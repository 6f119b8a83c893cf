import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { sanitizeEmailHtml } from '../../../../src/mail/sanitize-html.js';
import type { Actor } from '../../../../src/services/access.js';
import { replyToTicket, type SendReplyDeps } from '../../../../src/services/tickets/send-reply.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: SendReplyDeps;
const agent: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
let number = 80_000;

const HOSTILE = '<p onclick="steal()">Fixed <b>now</b>.</p><script>fetch("/api/v1/me")</script><img src="https://tracker.example/p.gif"><a href="javascript:alert(1)">x</a>';

beforeAll(async () => {
  fx = await ingestFixture('send_reply_html');
  const scheduler = noJobs;
  deps = { ...fx.stores, scheduler, compose, sign: fx.deps.sign, now: fx.deps.now, sanitizeHtml: (html) => sanitizeEmailHtml(html).html };
});
afterAll(() => fx.db.drop());

async function ticket() {
  number += 1;
  return fx.models.Ticket.create({ number, inboxId: fx.inbox._id, subject: 'Printer', requester: { email: 'ivo@customer.test' }, status: 'open' });
}

const storedReply = async (ticketId: Types.ObjectId) => (await fx.models.Message.findOne({ ticketId, direction: 'outbound' }).lean())!;

describe('replyToTicket with agent HTML (stored unsanitized before)', () => {
  it('stores the HTML cleaned under the rules of customer mail: no script, handler or javascript: link, remote images held back', async () => {
    const t = await ticket();
    await replyToTicket(deps, agent, t._id.toHexString(), { form: { text: 'Fixed now.', html: HOSTILE } });
    const html = (await storedReply(t._id)).html!;
    expect(html).toBe(sanitizeEmailHtml(HOSTILE).html);
    expect(html).toContain('Fixed <b>now</b>.');
    expect(html).not.toMatch(/script|onclick|javascript:/i);
    expect(html).toContain('data-remote-src="https://tracker.example/p.gif"');
  });

  it('keeps only the text in the conversation when no sanitizer is given', async () => {
    const t = await ticket();
    const { sanitizeHtml: _, ...withoutSanitizer } = deps;
    await replyToTicket(withoutSanitizer, agent, t._id.toHexString(), { form: { text: 'Fixed now.', html: HOSTILE } });
    expect(await storedReply(t._id)).toMatchObject({ text: 'Fixed now.', html: null });
  });

  it('refuses HTML too complex to show safely when there is no text to show instead', async () => {
    const t = await ticket();
    const refusing = { ...deps, sanitizeHtml: () => null };
    await expect(replyToTicket(refusing, agent, t._id.toHexString(), { form: { text: '', html: '<p>deep</p>' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'html' }] } });
    expect(await fx.models.Message.countDocuments({ ticketId: t._id })).toBe(0);
  });
});
