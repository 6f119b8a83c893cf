import { Router, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { isLocale, LOCALES, type Locale } from '../../i18n/locales.js';
import { parseObjectId } from '../../services/access.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { requireInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { previewAutoReply, previewTicketFor } from '../../services/auto-reply/preview-auto-reply.js';
import { updateAutoReply } from '../../services/auto-reply/update-auto-reply.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { checked, field, formOf, issueText, savedNotice, validationIssues, type FormIssue } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The form of one language: the switch (shared by every language) and that language's own texts. */
interface AutoReplyForm {
  enabled: boolean;
  /** List matching help center articles (shared by every language too). */
  suggestArticles: boolean;
  locale: Locale;
  subject: string;
  template: string;
}

/** The text input an issue path names (`autoReply.overrides.fr.template`, `subject`, …), or null. */
const inputOf = (path: string): 'subject' | 'template' | null => {
  const last = path.split('.').pop();
  return last === 'subject' || last === 'template' ? last : null;
};

/**
 * `/settings/inboxes/:id/auto-reply`: whether new tickets are acknowledged, and the inbox's own
 * subject and text in each language customers are written to (`?lang=`; the inbox's default
 * language first), checked before saving, with a preview rendered by the real email templates in
 * that language. For admins and managers of the inbox.
 */
export function autoReplySettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const deps = { inboxes: ctx.stores.inboxes, logger: ctx.logger, validateTemplate: ctx.settings.validateTemplate, render: ctx.settings.render };

  /** Renders the page; the preview shows what `form` would send, or why it cannot be sent. */
  const render = async (res: Response, inbox: InboxView, form: AutoReplyForm, state: { status?: number; issues?: FormIssue[]; notice?: string | null } = {}) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    let issues = state.issues ?? [];
    let preview: { subject: string; text: string; locale: string } | null = null;
    if (issues.length === 0) {
      try {
        preview = await previewAutoReply(deps, session.actor, inbox.id, { subject: form.subject || null, template: form.template || null, locale: form.locale });
      } catch (err) {
        const found = validationIssues(err, i18n.tr);
        if (!found) throw err;
        // A text that does not render names its input (`details.field`): shown beside it.
        const named = isAppError(err) ? inputOf(String(err.details?.field ?? '')) : null;
        issues = named ? found.map((i) => (i.path ? i : { ...i, path: named })) : found;
      }
    }
    const errorOf = (name: 'subject' | 'template') => {
      const found = issues.find((i) => inputOf(i.path) === name);
      return found ? issueText(found, i18n.tr) : null;
    };
    const labelOf = (path: string) => {
      const input = inputOf(path);
      return input ? t(input === 'subject' ? 'settings:autoReply.subject' : 'settings:autoReply.text') : path || t('settings:autoReply.heading');
    };
    const base = `/settings/inboxes/${encodeURIComponent(inbox.id)}/auto-reply`;
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render(
        'settings-auto-reply',
        {
          title: t('settings:autoReply.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          section: 'auto-reply',
          form,
          // The inbox's default language first: the one most customers get.
          languages: [inbox.defaultLocale, ...LOCALES.filter((l) => l !== inbox.defaultLocale)].map((locale) => ({
            locale,
            href: `${base}?lang=${locale}`,
            label: t(`settings:inbox.locale.${locale}`),
            isDefault: locale === inbox.defaultLocale,
            current: locale === form.locale,
            customised: Boolean(inbox.autoReply.overrides[locale]?.subject || inbox.autoReply.overrides[locale]?.template),
          })),
          errors: { subject: errorOf('subject'), template: errorOf('template') },
          problems: issues.map((i) => t('settings:form.problem', { label: labelOf(i.path), message: issueText(i, i18n.tr) })),
          preview,
          previewTicket: previewTicketFor(form.locale),
          notice: state.notice ?? null,
        },
        i18n,
      ),
    );
  };

  const load = async (res: Response, id: string) => {
    const { actor } = requireSession(res);
    const inbox = await getInbox(ctx.stores, actor, id);
    requireInboxManager(actor, parseObjectId(inbox.id)!, 'Only admins and managers of this inbox can change its auto-reply');
    return inbox;
  };

  /** The language a request is about: the one it names, else the inbox's default. */
  const localeOf = (inbox: InboxView, asked: unknown): Locale => (isLocale(asked) ? asked : inbox.defaultLocale);

  router.get('/settings/inboxes/:id/auto-reply', ...guard, async (req, res) => {
    const inbox = await load(res, String(req.params.id));
    const locale = localeOf(inbox, req.query.lang);
    const own = inbox.autoReply.overrides[locale];
    const form = { enabled: inbox.autoReply.enabled, suggestArticles: inbox.autoReply.suggestArticles, locale, subject: own?.subject ?? '', template: own?.template ?? '' };
    await render(res, inbox, form, { notice: savedNotice(req.query.saved, pageI18n(res).tr.t) });
  });

  router.post('/settings/inboxes/:id/auto-reply', ...guard, requireCsrf(ctx.publicUrl), async (req, res) => {
    const inbox = await load(res, String(req.params.id));
    const body = formOf(req);
    const locale = localeOf(inbox, field(body, 'lang'));
    const form = { enabled: checked(body, 'enabled'), suggestArticles: checked(body, 'suggestArticles'), locale, subject: field(body, 'subject'), template: field(body, 'template') };
    // "Preview" saves nothing: it shows what these (unsaved) texts would send.
    if (field(body, 'action') === 'preview') return render(res, inbox, form);
    try {
      // Only this language's texts change; the other languages keep theirs.
      await updateAutoReply(deps, requireSession(res).actor, inbox.id, { enabled: form.enabled, suggestArticles: form.suggestArticles, overrides: { [locale]: { subject: form.subject, template: form.template } } });
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return render(res, inbox, form, { status: 400, issues });
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(inbox.id)}/auto-reply?saved=1&lang=${locale}`);
  });
  return router;
}
