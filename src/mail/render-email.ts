import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Handlebars from 'handlebars';
import { AppError } from '../domain/errors.js';
import { looksLikeReply, subjectWithToken } from '../domain/threading.js';
import { digestView, type DigestData } from './digest-data.js';
import { sanitizeEmailHtml } from './sanitize-html.js';
import { notificationSummaryView, notificationView, type NotificationData, type NotificationSummaryData } from './notification-data.js';
import { clockName, DEFAULT_PRIMARY_COLOR, firstTimeZone, httpUrl, humaniseDuration, mailTranslator, nonBlank, safeColor, textColorOn } from './email-format.js';
import { hb, renderBounded, RenderBudgetExceeded, runtimeOptionsFor, validateTemplateOverride, type MailRenderContext } from './email-handlebars.js';

export { validateTemplateOverride } from './email-handlebars.js';
export type { DigestData } from './digest-data.js';
export type { NotificationData, NotificationEventData, NotificationSummaryData } from './notification-data.js';

/** Every email Threadline sends; each is `templates/email/<name>.mjml` + `<name>.txt.hbs`. */
export const EMAIL_TEMPLATE_NAMES = ['auto-reply', 'agent-reply', 'sla-reminder', 'escalation', 'digest', 'notification', 'notification-summary', 'password-link', 'satisfaction-survey'] as const;
/** One of EMAIL_TEMPLATE_NAMES. */
export type EmailTemplateName = (typeof EMAIL_TEMPLATE_NAMES)[number];

type When = Date | string;

/** To the customer when a new ticket is opened. `customBody` is filled from the inbox's own text. */
export type AutoReplyData = {
  ticketNumber: number;
  ticketSubject: string;
  customerName?: string | null;
  /** Help center articles that may answer the mail (title and absolute http(s) link), listed after the text. */
  articles?: Array<{ title: string; url: string }> | null;
};

/**
 * An agent's answer to the customer. `body` and history bodies are plain text; history is quoted in
 * the order given. `bodyHtml`, the agent's HTML reply (the reply editor), replaces `body` in the HTML
 * part: it is sanitized here before it is written as markup; `body` stays its text part.
 */
export type AgentReplyData = {
  ticketNumber: number;
  ticketSubject: string;
  agentName: string;
  body: string;
  bodyHtml?: string | null;
  history?: Array<{ from: string; sentAt: When; body: string }> | null;
  timeZone?: string | null;
};

/** To agents: an SLA clock (`firstResponse`, `nextResponse`, `resolution`) runs out in `minutesLeft`. */
export type SlaReminderData = {
  ticketNumber: number;
  ticketSubject: string;
  clock: string;
  minutesLeft: number;
  dueAt: When;
  timeZone?: string | null;
  recipientName?: string | null;
  assigneeName?: string | null;
  customer?: string | null;
  ticketUrl?: string | null;
};

/**
 * To the people on one level of an escalation ladder. `reason` may span lines; without it the mail
 * says which `clock` of a ticket of which `priority` was missed, in the recipient's language.
 */
export type EscalationData = {
  ticketNumber: number;
  ticketSubject: string;
  level: number;
  levelName?: string | null;
  reason?: string | null;
  priority?: string | null;
  clock?: string | null;
  breachedAt?: When | null;
  timeZone?: string | null;
  recipientName?: string | null;
  assigneeName?: string | null;
  customer?: string | null;
  ticketUrl?: string | null;
};

/** To a user: the link that sets their first password (`invite`) or a new one (`reset`), and when it stops working. */
export type PasswordLinkData = { purpose: 'invite' | 'reset'; url: string; expiresAt: When; recipientName?: string | null; timeZone?: string | null };

/** To the customer when their ticket is solved: three signed links (good, okay, bad) that open the rating page. */
export type SatisfactionSurveyData = { ticketNumber: number; ticketSubject: string; customerName?: string | null; links: { good: string; okay: string; bad: string } };

/** The data each template expects (all are plain text; nothing is embedded as HTML). */
export interface EmailDataMap {
  'auto-reply': AutoReplyData;
  'agent-reply': AgentReplyData;
  'sla-reminder': SlaReminderData;
  escalation: EscalationData;
  digest: DigestData;
  notification: NotificationData;
  'notification-summary': NotificationSummaryData;
  'password-link': PasswordLinkData;
  'satisfaction-survey': SatisfactionSurveyData;
}

/** Per-inbox look: anything missing or invalid falls back to Threadline's defaults. */
export interface EmailBranding {
  brandName?: string;
  signature?: string;
  /** `#rgb` or `#rrggbb`; anything else is ignored. */
  primaryColor?: string;
  /** An absolute http(s) URL; anything else is ignored. */
  logoUrl?: string | null;
}

/** Per-inbox and per-recipient settings for one render. */
export interface RenderEmailOptions {
  branding?: EmailBranding;
  /** The inbox's own subject (in the recipient's language), a Handlebars string with the same variables as the template. */
  subject?: string | null;
  /** The inbox's own auto-reply text (in the recipient's language), a Handlebars string; shown escaped inside the standard layout. */
  template?: string | null;
  /** The recipient's language (`en`, `fr`); English when missing or unknown. */
  locale?: string | null;
  /** The recipient's IANA time zone for the dates shown; else the data's `timeZone`, else UTC. */
  timeZone?: string | null;
}

/** A ready-to-send message: a one-line subject and the two alternative parts. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../templates/email');
/** Customer mail carries the `[#n]` token so a reply threads even when headers are lost. */
const CUSTOMER_TEMPLATES = new Set<EmailTemplateName>(['auto-reply', 'agent-reply', 'satisfaction-survey']);

type MjmlResult = { html: string; errors: Array<{ formattedMessage: string }> };
type Mjml2Html = (mjml: string, options: Record<string, unknown>) => Promise<MjmlResult>;
let mjml2html: Mjml2Html | null = null;
/** Loading mjml takes a second or more; a process that never renders mail (a poller alone) never pays it. */
function mjml(): Mjml2Html {
  // mjml is CommonJS without types; v5's default export is async.
  mjml2html ??= createRequire(import.meta.url)('mjml') as Mjml2Html;
  return mjml2html;
}

/**
 * Loads mjml now. A role that renders mail calls this at start-up, so the load (a second or more, on
 * the main thread) does not stall the first mail it renders, nor whatever shares its event loop.
 */
export function loadEmailRenderer(): void {
  mjml();
}

function templateName(name: string): EmailTemplateName {
  if (!(EMAIL_TEMPLATE_NAMES as readonly string[]).includes(name)) {
    throw new AppError('TEMPLATE_INVALID', `Unknown email template "${name}"`, { details: { template: name } });
  }
  return name as EmailTemplateName;
}

/**
 * MJML validates colour attributes, so the brand colours are the one thing put into the MJML source
 * before it is compiled; every other `{{…}}` survives MJML untouched and is filled per send.
 */
async function compileMjml(name: EmailTemplateName, primaryColor: string, validationLevel: 'strict' | 'soft'): Promise<MjmlResult> {
  const filePath = path.join(TEMPLATE_DIR, `${name}.mjml`);
  const source = await readFile(filePath, 'utf8');
  const brandColours = (xml: string): string =>
    xml.replaceAll('{{primaryColor}}', primaryColor).replaceAll('{{onPrimaryColor}}', textColorOn(primaryColor));
  return mjml()(source, {
    validationLevel,
    filePath,
    ignoreIncludes: false,
    includePath: [TEMPLATE_DIR],
    preprocessors: [brandColours],
    keepComments: false,
    fonts: {},
  });
}

/** MJML's validation messages for a template (empty when it is valid), for tests and CI. */
export async function lintEmailTemplate(name: EmailTemplateName): Promise<string[]> {
  const result = await compileMjml(templateName(name), DEFAULT_PRIMARY_COLOR, 'soft');
  return result.errors.map((e) => e.formattedMessage);
}

const MAX_CACHED = 64;

/** A bounded cache that forgets the oldest entry first. */
function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = make();
  cache.set(key, value);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  return value;
}

const htmlTemplates = new Map<string, Promise<Handlebars.TemplateDelegate>>();
const textTemplates = new Map<string, Promise<Handlebars.TemplateDelegate>>();
const overrideTemplates = new Map<string, Handlebars.TemplateDelegate>();
let subjects: Promise<Record<string, Handlebars.TemplateDelegate>> | undefined;
let textPartials: Promise<void> | undefined;

/** The compiled HTML of a template for one brand colour: MJML runs once per pair, Handlebars per send. */
function htmlTemplate(name: EmailTemplateName, primaryColor: string): Promise<Handlebars.TemplateDelegate> {
  return cached(htmlTemplates, `${name}|${primaryColor}`, () => {
    const compiled = compileMjml(name, primaryColor, 'strict').then(
      (result) => hb.compile(result.html),
      (err: unknown) => {
        throw new AppError('TEMPLATE_INVALID', `Email template "${name}" does not compile: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      },
    );
    compiled.catch(() => htmlTemplates.delete(`${name}|${primaryColor}`));
    return compiled;
  });
}

function textTemplate(name: EmailTemplateName): Promise<Handlebars.TemplateDelegate> {
  textPartials ??= readFile(path.join(TEMPLATE_DIR, 'partials/footer.txt.hbs'), 'utf8').then((src) => {
    hb.registerPartial('footer', hb.compile(src, { noEscape: true }));
  });
  return cached(textTemplates, name, async () => {
    await textPartials;
    const source = await readFile(path.join(TEMPLATE_DIR, `${name}.txt.hbs`), 'utf8').catch((err: unknown) => {
      throw new AppError('TEMPLATE_INVALID', `Email template "${name}" has no plain-text part`, { cause: err });
    });
    // Plain text is not HTML: nothing to escape, and `&amp;` would show up literally.
    return hb.compile(source, { noEscape: true });
  });
}

/** The default subjects of `subjects.json`: ours, so they may use `{{t}}` (an inbox's own may not). */
function defaultSubject(name: EmailTemplateName): Promise<Handlebars.TemplateDelegate> {
  subjects ??= readFile(path.join(TEMPLATE_DIR, 'subjects.json'), 'utf8').then((json) =>
    Object.fromEntries(Object.entries(JSON.parse(json) as Record<string, string>).map(([key, source]) => [key, hb.compile(source, { noEscape: true })])),
  );
  return subjects.then((all) => all[name] ?? hb.compile('{{ticketSubject}}', { noEscape: true }));
}

/** Renders a subject or auto-reply override as plain text; a broken one is the caller's input error. */
function renderOverride(source: string, view: Record<string, unknown>, what: string, ctx: MailRenderContext): string {
  const template = cached(overrideTemplates, source, () => {
    const problem = validateTemplateOverride(source);
    if (problem) throw new AppError('VALIDATION_FAILED', `The ${what} template is invalid: ${problem}`, { details: { field: what } });
    return hb.compile(source, { noEscape: true });
  });
  try {
    // Bounded also here: an override saved before the cost checks existed must not stall a worker.
    return renderBounded(template, view, ctx);
  } catch (err) {
    if (!(err instanceof RenderBudgetExceeded)) throw err;
    throw new AppError('VALIDATION_FAILED', `The ${what} template is invalid: it ${err.message}`, { details: { field: what } });
  }
}

/** The words of an escalation without a reason of its own: which clock of a ticket of which priority was missed. */
function escalationReason(data: Record<string, unknown>, ctx: MailRenderContext): string {
  const priority = typeof data.priority === 'string' ? data.priority : '';
  const priorityWord = priority && ctx.tr.has(`common:priority.${priority}`) ? ctx.tr.t(`common:priority.${priority}`) : priority;
  return ctx.tr.t('mail:escalation.reason', { clock: clockName(data.clock, ctx.tr), priority: priorityWord });
}

/** The data a template sees: what the caller gave plus what the template cannot work out itself. */
function prepare(name: EmailTemplateName, data: Record<string, unknown>, ctx: MailRenderContext): Record<string, unknown> {
  const { timeZone } = ctx;
  switch (name) {
    case 'digest':
      return digestView(data as unknown as DigestData, { tr: ctx.tr, timeZone });
    case 'notification':
      return notificationView(data as unknown as NotificationData, { tr: ctx.tr, timeZone });
    case 'notification-summary':
      return notificationSummaryView(data as unknown as NotificationSummaryData, { tr: ctx.tr, timeZone });
    case 'agent-reply': {
      const subject = String(data.ticketSubject ?? '');
      // The agent's HTML reply goes in as markup: cleaned here again under the rules of customer mail,
      // whoever passed it, so the template can only ever output sanitized HTML.
      const bodyHtml = nonBlank(data.bodyHtml) === null ? null : new hb.SafeString(sanitizeEmailHtml(String(data.bodyHtml)).html);
      return { ...data, bodyHtml, timeZone, replySubject: looksLikeReply(subject) ? subject : `Re: ${subject}` };
    }
    case 'sla-reminder':
      return { ...data, timeZone, dueIn: humaniseDuration(Math.max(0, Number(data.minutesLeft)) * 60, ctx.tr), ticketUrl: httpUrl(data.ticketUrl) };
    case 'escalation':
      return { ...data, timeZone, reason: nonBlank(data.reason) ?? escalationReason(data, ctx), ticketUrl: httpUrl(data.ticketUrl) };
    case 'password-link':
      return { ...data, timeZone, url: httpUrl(data.url) };
    case 'auto-reply':
      return { ...data, timeZone, articles: autoReplyArticleLinks(data.articles) };
    case 'satisfaction-survey': {
      // Only http(s) links reach the buttons; a survey without all three shows no buttons.
      const l = (data.links ?? {}) as Record<string, unknown>;
      const links = { good: httpUrl(l.good), okay: httpUrl(l.okay), bad: httpUrl(l.bad) };
      return { ...data, timeZone, links: links.good && links.okay && links.bad ? { good: { url: links.good }, okay: { url: links.okay }, bad: { url: links.bad } } : null };
    }
    default:
      return { ...data, timeZone };
  }
}

/** The auto-reply's suggested articles with a usable title and an http(s) link; the others are dropped. */
function autoReplyArticleLinks(value: unknown): Array<{ title: string; url: string }> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a: { title?: unknown; url?: unknown }) => {
    const url = httpUrl(a?.url);
    const title = nonBlank(a?.title);
    return url && title ? [{ title, url }] : [];
  });
}

function tidySubject(subject: string, name: EmailTemplateName, data: Record<string, unknown>): string {
  // Whitespace runs become one space, but French no-break spaces (before `:`, inside « ») stay.
  const oneLine = subject.replace(/[^\S\u00a0\u202f]+/g, ' ').trim();
  const ticket = data.ticketNumber;
  if (!CUSTOMER_TEMPLATES.has(name) || typeof ticket !== 'number' || !Number.isInteger(ticket) || ticket <= 0) return oneLine;
  // subjectWithToken collapses every whitespace; the no-break spaces pass it disguised as private-use characters.
  const disguised = oneLine.replace(/\u00a0/g, '\ue000').replace(/\u202f/g, '\ue001');
  return subjectWithToken(disguised, ticket).replace(/\ue000/g, '\u00a0').replace(/\ue001/g, '\u202f');
}

/** Trailing blanks and runs of blank lines dropped; the `-- ` signature separator kept intact. */
function tidyText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => (line === '-- ' ? line : line.trimEnd()));
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/**
 * Renders one email in the recipient's language (`opts.locale`) and time zone (`opts.timeZone`):
 * subject, HTML (with `lang`) and plain-text parts, their words from the `mail` catalog. Every
 * variable is HTML-escaped in the HTML part; multi-line text becomes escaped paragraphs. Throws
 * AppError TEMPLATE_INVALID for an unknown template and VALIDATION_FAILED when the inbox's
 * subject/template override does not compile.
 */
export async function renderEmail(name: EmailTemplateName, data: Record<string, unknown>, opts: RenderEmailOptions = {}): Promise<RenderedEmail> {
  const template = templateName(name);
  const primaryColor = safeColor(opts.branding?.primaryColor) ?? DEFAULT_PRIMARY_COLOR;
  const tr = mailTranslator(opts.locale);
  const ctx: MailRenderContext = { tr, timeZone: firstTimeZone(opts.timeZone, data.timeZone) };
  const view: Record<string, unknown> = {
    ...prepare(template, data, ctx),
    lang: tr.locale,
    brandName: nonBlank(opts.branding?.brandName) ?? 'Threadline',
    signature: nonBlank(opts.branding?.signature),
    logoUrl: httpUrl(opts.branding?.logoUrl),
    primaryColor,
  };
  const bodyOverride = nonBlank(opts.template);
  if (bodyOverride !== null) {
    if (template !== 'auto-reply') throw new AppError('TEMPLATE_INVALID', `Only the auto-reply text can be overridden, not "${template}"`);
    view.customBody = renderOverride(bodyOverride, view, 'auto-reply', ctx).trim();
  }
  // The suggested articles are listed after the text, unless the inbox's own text lists them itself.
  if (template === 'auto-reply') view.showArticles = Array.isArray(view.articles) && view.articles.length > 0 && !(bodyOverride ?? '').includes('articles');
  const subjectOverride = nonBlank(opts.subject);
  const subjectText = subjectOverride !== null ? renderOverride(subjectOverride, view, 'subject', ctx) : (await defaultSubject(template))(view, runtimeOptionsFor(ctx));
  const subject = tidySubject(subjectText, template, data);
  const [html, text] = await Promise.all([htmlTemplate(template, primaryColor), textTemplate(template)]);
  return {
    subject,
    html: html({ ...view, subject }, runtimeOptionsFor(ctx)),
    text: tidyText(text({ ...view, subject }, runtimeOptionsFor(ctx))),
  };
}
