import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import type { Actor } from '../../services/access.js';
import { getDraft } from '../../services/drafts/get-draft.js';
import { saveDraft } from '../../services/drafts/save-draft.js';
import { loadTicketPage } from '../../services/tickets/ticket-page-data.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { textOf } from './page-i18n.js';
import { fields, formOf, postedText, queryText } from './form-fields.js';

// The reply box's autosave and canned-reply insertion, named by its content hash like the stylesheet.
const SCRIPT = readFileSync(path.resolve(import.meta.dirname, '../../../templates/web/drafts.js'), 'utf8');
const SCRIPT_VERSION = createHash('sha256').update(SCRIPT).digest('hex').slice(0, 12);

/** Where the ticket page loads the drafts script from; the URL changes with the script. */
export const DRAFTS_SCRIPT_URL = `/static/drafts.js?v=${SCRIPT_VERSION}`;

/** `GET /static/drafts.js`: cached for a year when asked for by its current version. */
export const draftsScript: RequestHandler = (req, res) => {
  const current = req.query.v === SCRIPT_VERSION;
  res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'no-cache' });
  res.type('text/javascript').send(SCRIPT);
};

/**
 * The reply box's starting text and Cc for the ticket page: the agent's saved draft (with the canned
 * reply picked by `?canned=` added after it: without script, inserting one never loses the draft),
 * or else the canned reply alone. Null draft fields when the agent has none.
 */
export async function replyBoxOf(ctx: PageContext, actor: Actor, ticketId: string, cannedText: string): Promise<{ text: string; cc: string[] | null; saved: boolean }> {
  const draft = actor.userId ? await getDraft(ctx.stores, actor, ticketId) : null;
  if (!draft) return { text: cannedText, cc: null, saved: false };
  return { text: cannedText ? `${draft.text.replace(/\s+$/, '')}\n\n${cannedText}` : draft.text, cc: draft.cc, saved: true };
}

/**
 * `POST /tickets/:id/draft`: the reply form's "Save draft" button (back to the ticket, 303) and the
 * script's autosave (asks for JSON; answers with the "Draft saved" line). `GET /tickets/:id/canned-text`:
 * a canned reply filled in for this ticket, for the script to insert at the cursor.
 */
export function draftPages(ctx: PageContext): Router {
  const router = Router();
  router.post('/tickets/:id/draft', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const input = {
      text: postedText(req, 'text'),
      // Without the recipient list (an older page, or a ticket without one) the draft keeps the proposed Cc.
      ...(postedText(req, 'recipientsShown') ? { cc: fields(formOf(req), 'cc').slice(0, 100) } : {}),
    };
    await saveDraft({ ...ctx.stores, now: ctx.now }, actor, id, input);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ text: textOf(res)('tickets:reply.draftSaved') });
      return;
    }
    res.redirect(303, `/tickets/${encodeURIComponent(id)}?draft=saved#reply`);
  });
  router.get('/tickets/:id/canned-text', requireLogin, async (req, res) => {
    const { actor } = requireSession(res);
    const data = await loadTicketPage({ ...ctx, ...ctx.stores }, actor, String(req.params.id), {
      cannedId: queryText(req.query.canned) ?? null,
      presence: 'viewing',
      alsoName: [],
    });
    res.set('Cache-Control', 'no-store').json({ text: data.cannedDraft?.text ?? '' });
  });
  return router;
}
