import { Router } from 'express';
import type { Translator } from '../../i18n/catalog.js';
import { formatsFor } from '../../i18n/formats.js';
import { getKbStats, type KbStatFigures } from '../../services/kb/kb-stats.js';
import { helpArticlePath } from '../../services/kb/help-views.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import { issueText, queryText, validationIssues } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

/** A `2026-12-06` UTC day as the reader's language dates it (`6 déc. 2026` / `Dec 6, 2026`). */
const utcDay = (day: string, tr: Translator): string => formatsFor(tr.formatLocale, 'UTC').date(new Date(`${day}T00:00:00Z`));

/** The period links above the table (days, today included). */
const PRESETS = [7, 30, 90, 365];

/** A figures row as the table shows it: counts, and the two shares as percentages or a dash. */
function shown(f: KbStatFigures, tr: Translator) {
  const pct = (v: number | null) => (v === null ? '—' : tr.t('kb:stats.share', { value: v }));
  return { ...f, helpful: pct(f.helpfulShare), rate: pct(f.contactRate) };
}

/**
 * `/kb/stats`: the help center's deflection figures for editors: views, helpful votes and "Write to
 * us" click-throughs per category and per article over a period of UTC days (the last 30 unless
 * `from`/`to` say otherwise). Served before `/kb/:id`, whose id "stats" is not.
 */
export function kbStatsPages(ctx: PageContext): Router {
  const router = Router();
  router.get('/kb/stats', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { tr } = i18n;
    const from = queryText(req.query.from);
    const to = queryText(req.query.to);
    let report;
    try {
      report = await getKbStats({ ...ctx.stores, now: ctx.now }, session.actor, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
    } catch (err) {
      const issues = validationIssues(err, tr);
      if (!issues) throw err;
      res.status(400).type('html').send(
        ctx.views.render('kb-stats', { title: tr.t('kb:stats.title'), session, nav: 'kb', form: { from: from ?? '', to: to ?? '' }, presets: [], problems: issues.map((i) => `${i.path}: ${issueText(i, tr)}`) }, i18n),
      );
      return;
    }
    const today = ctx.now().toISOString().slice(0, 10);
    const presets = PRESETS.map((days) => ({ days, href: `/kb/stats?${new URLSearchParams({ from: new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10), to: today }).toString()}` }));
    res.type('html').send(
      ctx.views.render(
        'kb-stats',
        {
          title: tr.t('kb:stats.title'),
          session,
          nav: 'kb',
          form: report.period,
          // The counts are kept per UTC day: the period's days are dated in the reader's language, as UTC days.
          period: { from: utcDay(report.period.from, tr), to: utcDay(report.period.to, tr) },
          presets,
          totals: shown(report.totals, tr),
          categories: report.categories.map((c) => ({ ...shown(c, tr), name: c.name ?? tr.t('kb:stats.noCategory') })),
          articles: report.articles.map((a) => ({ ...shown(a, tr), title: a.title, id: a.id, language: a.language, helpUrl: helpArticlePath(a.language, a.slug) })),
          empty: report.articles.length === 0,
        },
        i18n,
      ),
    );
  });
  return router;
}
