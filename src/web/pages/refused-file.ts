import type { ErrorRequestHandler } from 'express';
import { isAppError } from '../../domain/errors.js';
import { errorText } from '../../i18n/error-text.js';
import { uploadedFiles } from '../multipart-form.js';
import { requireCsrf, requireSession } from '../session/session-middleware.js';
import { fields, formOf, postedText } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { postedRecipients } from './reply-recipients-form.js';
import { renderTicketPage } from './ticket-pages.js';
import { ownUploads } from './upload-pages.js';

/**
 * The reply form's refused file (too large, too many, refused by the scan hook) when posted without
 * script: instead of an error page, the ticket page again with the reason above the reply form and
 * everything posted kept (text, HTML, recipients, status, the files already stored). Only for a form
 * whose CSRF token checks out; any other error goes on.
 */
export function refusedFileHandler(ctx: PageContext): ErrorRequestHandler {
  const csrf = requireCsrf(ctx.publicUrl);
  return (err: unknown, req, res, next) => {
    if (res.headersSent || !(isAppError(err, 'PAYLOAD_TOO_LARGE') || isAppError(err, 'UPLOAD_REFUSED'))) return next(err);
    try {
      csrf(req, res, () => {});
    } catch {
      return next(err);
    }
    const { actor } = requireSession(res);
    const i18n = pageI18n(res);
    const recipients = postedRecipients(req);
    const kept = [...fields(formOf(req), 'upload').slice(0, 100), ...uploadedFiles(res).map((u) => u.id)];
    void (async () => {
      await renderTicketPage(ctx, req, res.status(err.httpStatus), {
        text: postedText(req, 'text').slice(0, 1_000_000),
        html: postedText(req, 'html').slice(0, 2_000_000) || null,
        status: postedText(req, 'status'),
        items: [],
        ...(recipients ? { recipients: { posted: recipients.posted, error: null, errorField: null } } : {}),
        uploads: await ownUploads(ctx, actor, kept),
        error: errorText(err, i18n.tr),
      });
    })().catch(next);
  };
}
