import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineImageUrl } from '../../../src/domain/inline-image-links.js';
import { sanitizeEmailHtml } from '../../../src/mail/sanitize-html.js';
import { createUser } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { startSendingApp } from './sending-app.js';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let h: Awaited<ReturnType<typeof startSendingApp>>;
let base: string;
let agent: Client;
let outsider: Client;
let agentId: Types.ObjectId;
const inbox = new Types.ObjectId();
const ticketId = new Types.ObjectId();
const first = new Types.ObjectId();
const second = new Types.ObjectId();

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
const imageSrcs = (html: string) => [...html.matchAll(/<img [^>]*?\ssrc="([^"]+)"/g)].map((m) => unescape(m[1]!));

beforeAll(async () => {
  h = await startSendingApp('mail_body');
  base = h.base;
  const other = new Types.ObjectId();
  await h.models.Inbox.create([
    { _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } },
    { _id: other, name: 'Other', address: 'other@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } },
  ]);
  agentId = (await createUser(h.models, { email: 'ida@example.test', password: 'ida password 123', inboxIds: [inbox] }))._id;
  await createUser(h.models, { email: 'otto@example.test', password: 'otto password 123', inboxIds: [other] });
  await h.models.Ticket.create({ _id: ticketId, number: 1, inboxId: inbox, subject: 'Logo', requester: { email: 'c@customer.test' } });

  const put = async (data: Buffer, contentType: string, contentId: string) => {
    const stored = await h.blobs.put(data, { filename: contentId, contentType });
    return { fileId: stored.id, filename: contentId, contentType, size: stored.size, sha256: stored.sha256, contentId, inline: true };
  };
  const html = sanitizeEmailHtml(
    '<p>Our logo:</p><img src="cid:logo@x" alt="logo"><img src="cid:theirs@y" alt="theirs"><img src="cid:doc@x"><img src="cid:vector@x">' +
      '<img src="https://tracker.example/pixel.gif" width="1" height="1" srcset="https://tracker.example/2x.gif 2x">',
  ).html;
  await h.models.Message.create([
    {
      _id: first, ticketId, inboxId: inbox, direction: 'inbound', from: { address: 'c@customer.test' }, text: 'Our logo', html,
      attachments: [await put(PNG, 'image/png', 'logo@x'), await put(Buffer.from('%PDF-1.4'), 'application/pdf', 'doc@x'), await put(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml', 'vector@x')],
    },
    { _id: second, ticketId, inboxId: inbox, direction: 'inbound', from: { address: 'c@customer.test' }, text: 'Theirs', html: '<p>x</p>', attachments: [await put(PNG, 'image/png', 'theirs@y')] },
  ]);
  agent = new Client(base);
  await agent.login('ida@example.test', 'ida password 123');
  outsider = new Client(base);
  await outsider.login('otto@example.test', 'otto password 123');
});
afterAll(() => h.close());

const bodyPath = `/tickets/${ticketId.toHexString()}/messages/${first.toHexString()}/body`;

describe('the mail body route', () => {
  it('serves the body under a CSP with no script, no remote images and only our inline-image path', async () => {
    const res = await agent.get(bodyPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; img-src data: ${base}/mail-images/; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // Only this message's raster image keeps a source; the remote one is held back, srcset is gone.
    expect(imageSrcs(res.text)).toEqual([expect.stringMatching(new RegExp(`^/mail-images/${first.toHexString()}/[0-9a-f]{24}\\.[0-9a-z]+\\.[0-9a-f]{32}\\?cid=logo%40x$`))]);
    expect(res.text).toContain('data-remote-src="https://tracker.example/pixel.gif"');
    expect(res.text).not.toMatch(/cid:|srcset|alt="theirs"/);
  });

  it('with ?images=1 allows http(s) images and nothing else new, and gives the remote image its source', async () => {
    const res = await agent.get(`${bodyPath}?images=1`);
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; img-src data: ${base}/mail-images/ https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox`,
    );
    expect(imageSrcs(res.text)).toEqual([expect.stringContaining('/mail-images/'), 'https://tracker.example/pixel.gif']);
  });

  it('answers 404 for a ticket outside the user’s inboxes', async () => {
    expect((await outsider.get(bodyPath)).status).toBe(404);
  });
});

describe('inline images', () => {
  it('serve the message’s own image without a cookie, as nosniff image/png', async () => {
    const url = imageSrcs((await agent.get(bodyPath)).text)[0]!;
    const res = await fetch(base + url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });

  it('refuse a cid of another message, a swapped cid, non-raster types, forged and expired tokens', async () => {
    const grant = (messageId: Types.ObjectId, contentId: string, expiresAt = new Date(Date.now() + 60_000)) =>
      inlineImageUrl(h.sign, { userId: agentId.toHexString(), messageId: messageId.toHexString(), contentId, expiresAt });
    const status = async (url: string) => (await fetch(base + url)).status;
    expect(await status(grant(first, 'logo@x'))).toBe(200);
    // Signed, but theirs@y belongs to the second message, not the first.
    expect(await status(grant(first, 'theirs@y'))).toBe(404);
    expect(await status(grant(first, 'logo@x').replace('cid=logo%40x', 'cid=theirs%40y'))).toBe(404);
    expect(await status(grant(first, 'logo@x').replace(first.toHexString(), second.toHexString()))).toBe(404);
    expect(await status(grant(first, 'doc@x'))).toBe(404);
    expect(await status(grant(first, 'vector@x'))).toBe(404);
    expect(await status(grant(first, 'logo@x').replace(/\.[0-9a-f]{32}\?/, `.${'0'.repeat(32)}?`))).toBe(404);
    expect(await status(grant(first, 'logo@x', new Date(Date.now() - 1000)))).toBe(404);
    const fresh = imageSrcs((await agent.get(bodyPath)).text)[0]!;
    h.setNow(new Date(Date.now() + 16 * 60_000));
    try {
      expect(await status(fresh)).toBe(404);
    } finally {
      h.setNow(null);
    }
  });

  it('stop working once the user no longer sees the ticket', async () => {
    const url = imageSrcs((await agent.get(bodyPath)).text)[0]!;
    await h.models.User.updateOne({ _id: agentId }, { $set: { inboxIds: [] } });
    try {
      expect((await fetch(base + url)).status).toBe(404);
    } finally {
      await h.models.User.updateOne({ _id: agentId }, { $set: { inboxIds: [inbox] } });
    }
  });
});

describe('the ticket page', () => {
  it('says remote images are blocked and links to loading them for that message only', async () => {
    const page = await agent.get(`/tickets/${ticketId.toHexString()}`);
    expect(page.text).toContain(`Remote images blocked · <a href="/tickets/${ticketId.toHexString()}?images&#x3D;${first.toHexString()}#msg-${first.toHexString()}">Load images</a>`);
    expect(page.text).toContain(`src="${bodyPath}"`);
    const loaded = await agent.get(`/tickets/${ticketId.toHexString()}?images=${first.toHexString()}`);
    expect(loaded.text).toContain(`src="${bodyPath}?images&#x3D;1"`);
    expect(loaded.text).not.toContain('Remote images blocked');
    // The second message has no remote images: no notice, no images=1.
    expect(loaded.text).toContain(`src="/tickets/${ticketId.toHexString()}/messages/${second.toHexString()}/body"`);
  });
});
