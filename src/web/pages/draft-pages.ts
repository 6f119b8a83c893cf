import { Router, type Request, type Response } from 'express';
import type { Actor } from '../../services/access.js';
import { getDraft } from '../../services/drafts/get-draft.js';
import { saveDraft } from '../../services/drafts/save-draft.js';
import { escapeHtml } from '../../domain/quoted-history.js';
import { loadTicketPage } from '../../services/tickets/ticket-page-data.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import type { DraftView } from '../../services/drafts/draft-owner.js';
import { uploadedFiles } from '../multipart-form.js';
import { draftRecipients } from './reply-recipients-form.js';
import { formWithFiles } from './upload-pages.js';
import { textOf } from './page-i18n.js';
import { fields, formOf, postedText, queryText } from './form-fields.js';
import { refusedFileHandler } from './refused-file.js';
import { scriptUrl } from './static-assets.js';

/** Where the ticket page loads the drafts script from; the URL changes with the script. */
export const DRAFTS_SCRIPT_URL = scriptUrl('drafts.js');

/** The reply box as a draft left it (or empty): what {@link replyBoxOf} answers. */
export type ReplyBoxStart = Omit<DraftView, 'ticketId' | 'updatedAt'> & { saved: boolean };

/**
 * The reply box's starting text, recipients and files for the ticket page: the agent's saved draft
 * (with the canned reply picked by `?canned=` added after it: without script, inserting one never
 * loses the draft), or else the canned reply alone. Null draft fields when the agent has none.
 * `html` is the editor's starting content when the draft has one (the canned reply added as
 * paragraphs), else null: the editor then starts from the text.
 */
export async function replyBoxOf(ctx: PageContext, actor: Actor, ticketId: string, cannedText: string): Promise<ReplyBoxStart> {
  const draft = actor.userId ? await getDraft(ctx.stores, actor, ticketId) : null;
  if (!draft) return { text: cannedText, html: null, cc: null, to: null, bcc: null, uploads: [], saved: false };
  const html = draft.html && cannedText.trim() ? `${draft.html}${paragraphsOf(cannedText)}` : draft.html;
  return { text: cannedText ? `${draft.text.replace(/\s+$/, '')}\n\n${cannedText}` : draft.text, html, cc: draft.cc, to: draft.to, bcc: draft.bcc, uploads: draft.uploads, saved: true };
}

/** Plain text as escaped HTML paragraphs (a blank line apart), line breaks as `<br>`. */
function paragraphsOf(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n[ \t]*\n+/)
    .map((block) => `<p>${block.split('\n').map(escapeHtml).join('<br>')}</p>`)
    .join('');
}

/** What saving a draft from the pages needs: the stores, the clock, and the replies' sanitizer for its HTML. */
export function draftDeps(ctx: PageContext) {
  return { ...ctx.stores, now: ctx.now, ...(ctx.actions.sanitizeHtml ? { sanitizeHtml: ctx.actions.sanitizeHtml } : {}) };
}

/**
 * `POST /tickets/:id/draft`: the reply form's "Save draft" button (back to the ticket, 303) and the
 * script's autosave (asks for JSON; answers with the "Draft saved" line). `GET /tickets/:id/canned-text`:
 * a canned reply filled in for this ticket, for the script to insert at the cursor.
 */
export function draftPages(ctx: PageContext): Router {
  const router = Router();
  // The reply form is multipart (it takes files): files chosen without script are stored as the
  // agent's uploads and kept with the draft like those the script uploaded (`upload`).
  router.post('/tickets/:id/draft', requireLogin, formWithFiles(ctx, 'files', (req) => ({ ticketId: String(req.params.id) })), requireCsrf(ctx.publicUrl), async (req: Request, res: Response) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const input = {
      text: postedText(req, 'text'),
      // The editor's HTML of the same reply (empty without script); sanitized as it is saved.
      html: postedText(req, 'html') || null,
      // Without the recipient list (an older page, or a ticket without one) the draft keeps the proposed To and Cc.
      ...(postedText(req, 'recipientsShown') ? draftRecipients(req) : {}),
      uploadIds: [...fields(formOf(req), 'upload').slice(0, 100), ...uploadedFiles(res).map((u) => u.id)],
    };
    await saveDraft(draftDeps(ctx), actor, id, input);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ text: textOf(res)('tickets:reply.draftSaved') });
      return;
    }
    res.redirect(303, `/tickets/${encodeURIComponent(id)}?draft=saved#reply`);
  }, refusedFileHandler(ctx));
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
