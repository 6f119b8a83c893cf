import { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { INLINE_IMAGE_PATH } from '../../domain/inline-image-links.js';
import { SANITIZER_RULES, cleanStoredHtml, linkMailImages } from '../../mail/sanitize-html.js';
import { openInlineImage } from '../../services/tickets/open-inline-image.js';
import { openMailBody } from '../../services/tickets/open-mail-body.js';
import { sendAttachment } from '../api/attachment-routes.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { textOf } from './page-i18n.js';
import { mailBodyHeaders } from './security-headers.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * The inline-image path as a CSP source on the origin this request came to. The framed body is
 * sandboxed, so `'self'` would have to stand for an opaque origin; a full URL prefix also keeps
 * every other path of ours out. A Host header that is not a plain host falls back to `'self'`.
 */
function inlineImageSource(req: Request): string {
  const host = req.get('host') ?? '';
  return HOST.test(host) ? `${req.protocol}://${host}${INLINE_IMAGE_PATH}` : "'self'";
}

/**
 * `GET /tickets/:id/messages/:messageId/body`: one customer mail's HTML as its own document, which
 * the ticket page frames; `?images=1` loads its remote images. `GET /mail-images/…`: the message's
 * inline images through the signed URLs the body carries.
 */
export function mailBodyPage(ctx: PageContext & { logger: Logger }): Router {
  const router = Router();
  const deps = { ...ctx.stores, sign: ctx.actions.sign, now: ctx.now };

  router.get('/tickets/:id/messages/:messageId/body', requireLogin, async (req, res) => {
    const { actor } = requireSession(res);
    const body = await openMailBody(deps, actor, String(req.params.id), String(req.params.messageId));
    const remoteImages = req.query.images === '1';
    // Ingest stored the HTML cleaned: only HTML cleaned under other rules is cleaned again, off this thread.
    const clean = body.htmlRules === SANITIZER_RULES ? body.html : ctx.mailWork ? await ctx.mailWork.cleanStored(body.html) : cleanStoredHtml(body.html);
    const { html } = clean === null ? { html: `<p>${escapeHtml(textOf(res)('tickets:message.tooComplexBody'))}</p>` } : linkMailImages(clean, { loadRemoteImages: remoteImages, inlineImageUrl: body.inlineImageUrl });
    res.set(mailBodyHeaders({ inlineImages: inlineImageSource(req), remoteImages }));
    // Links open outside the frame; the sandbox still gives the new page no access to us.
    res.type('html').send(`<!doctype html><html><head><meta charset="utf-8"><base target="_blank"></head><body>${html}</body></html>`);
  });

  const blobs = ctx.blobs;
  if (blobs) {
    router.get(`${INLINE_IMAGE_PATH}:messageId/:token`, async (req, res) => {
      const contentId = typeof req.query.cid === 'string' ? req.query.cid : '';
      const image = await openInlineImage({ ...deps, blobs }, { messageId: String(req.params.messageId), token: String(req.params.token), contentId });
      await sendAttachment(res, { ...image, filename: null }, { cacheControl: 'private, no-store', logger: ctx.logger, fileId: String(req.params.messageId) });
    });
  }
  return router;
}
