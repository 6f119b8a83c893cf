import { DEFAULT_AUTO_CLOSE_AFTER_DAYS, DEFAULT_PENDING_REMINDER_AFTER_DAYS, MAX_LIFECYCLE_DAYS } from '../../domain/lifecycle.js';
import type { Translator } from '../../i18n/catalog.js';
import { LOCALES } from '../../i18n/locales.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { proposedSecure } from '../../domain/mail-account.js';
import { checked, field, issueText, type FormBody, type FormIssue } from './form-fields.js';
import { DEFAULT_ASK_EVERY_DAYS, DEFAULT_SURVEY_DELAY_HOURS, MAX_ASK_EVERY_DAYS, MAX_SURVEY_DELAY_HOURS, SURVEY_MODES } from '../../domain/satisfaction.js';

/** One input of the inbox form: its name, the input path it fills, and the key of its label for messages. */
interface InboxField {
  name: string;
  path: string;
  label: string;
  kind?: 'checkbox' | 'password';
}

const INBOX_FIELDS: InboxField[] = [
  { name: 'name', path: 'name', label: 'settings:inbox.problem.name' },
  { name: 'address', path: 'address', label: 'settings:inbox.problem.address' },
  { name: 'display_name', path: 'displayName', label: 'settings:inbox.problem.displayName' },
  { name: 'default_locale', path: 'defaultLocale', label: 'settings:inbox.problem.defaultLocale' },
  { name: 'default_team', path: 'defaultTeamId', label: 'settings:inbox.problem.defaultTeam' },
  { name: 'imap_host', path: 'imap.host', label: 'settings:inbox.problem.imapHost' },
  { name: 'imap_port', path: 'imap.port', label: 'settings:inbox.problem.imapPort' },
  { name: 'imap_secure', path: 'imap.secure', label: 'settings:inbox.problem.imapSecure', kind: 'checkbox' },
  { name: 'imap_user', path: 'imap.user', label: 'settings:inbox.problem.imapUser' },
  { name: 'imap_password', path: 'imap.password', label: 'settings:inbox.problem.imapPassword', kind: 'password' },
  { name: 'imap_folder', path: 'imap.folder', label: 'settings:inbox.problem.imapFolder' },
  { name: 'smtp_host', path: 'smtp.host', label: 'settings:inbox.problem.smtpHost' },
  { name: 'smtp_port', path: 'smtp.port', label: 'settings:inbox.problem.smtpPort' },
  { name: 'smtp_secure', path: 'smtp.secure', label: 'settings:inbox.problem.smtpSecure', kind: 'checkbox' },
  { name: 'smtp_user', path: 'smtp.user', label: 'settings:inbox.problem.smtpUser' },
  { name: 'smtp_password', path: 'smtp.password', label: 'settings:inbox.problem.smtpPassword', kind: 'password' },
  { name: 'mark_seen', path: 'options.markSeen', label: 'settings:inbox.problem.markSeen', kind: 'checkbox' },
  { name: 'move_to', path: 'options.moveTo', label: 'settings:inbox.problem.moveTo' },
  { name: 'import_since', path: 'options.importSince', label: 'settings:inbox.problem.importSince' },
  { name: 'signature', path: 'branding.signature', label: 'settings:inbox.problem.signature' },
  { name: 'primary_color', path: 'branding.primaryColor', label: 'settings:inbox.problem.primaryColor' },
  { name: 'logo_url', path: 'branding.logoUrl', label: 'settings:inbox.problem.logoUrl' },
  { name: 'auto_close_days', path: 'autoCloseAfterDays', label: 'settings:inbox.problem.autoCloseDays' },
  { name: 'pending_reminder_days', path: 'pendingReminderAfterDays', label: 'settings:inbox.problem.pendingReminderDays' },
  { name: 'quote_history', path: 'quoteHistory', label: 'settings:inbox.problem.quoteHistory', kind: 'checkbox' },
  { name: 'satisfaction_enabled', path: 'satisfaction.enabled', label: 'settings:inbox.problem.satisfactionEnabled', kind: 'checkbox' },
  { name: 'satisfaction_mode', path: 'satisfaction.mode', label: 'settings:inbox.problem.satisfactionMode' },
  { name: 'satisfaction_delay_hours', path: 'satisfaction.delayHours', label: 'settings:inbox.problem.satisfactionDelayHours' },
  { name: 'satisfaction_ask_days', path: 'satisfaction.askEveryDays', label: 'settings:inbox.problem.satisfactionAskDays' },
];

/**
 * The TLS mode a posted form asks for: the box as ticked, unless the port was changed and the box
 * left as it was shown (the hidden `<account>_port_was` / `_secure_was`), when the changed port's
 * own mode is taken (993/465 TLS, 143/587/25 STARTTLS): no script needed to follow the port.
 */
export function postedSecure(body: FormBody, account: 'imap' | 'smtp'): boolean {
  const ticked = checked(body, `${account}_secure`);
  const port = field(body, `${account}_port`).trim();
  const portWas = field(body, `${account}_port_was`).trim();
  const secureWas = field(body, `${account}_secure_was`);
  const untouched = secureWas === (ticked ? 'on' : 'off');
  if (!untouched || portWas === '' || port === portWas || !/^\d{1,5}$/.test(port)) return ticked;
  return proposedSecure(Number(port));
}

/** A problem the form itself finds (a blank or unreadable field), in the page's language when shown. */
const formIssue = (path: string, key: string): FormIssue => ({ path, message: '', key });

/** What the template shows for one input: never a password, only whether one is stored. */
export interface FieldView {
  value: string;
  checked: boolean;
  error: string | null;
}

/** The inbox form as the template renders it, with the problems that have no input of their own. */
export interface InboxFormView {
  fields: Record<string, FieldView>;
  problems: string[];
  hasImapPassword: boolean;
  hasSmtpPassword: boolean;
  /** Whether hosts and user names are shown: only admins get them (see toInboxView). */
  showAccountDetails: boolean;
  /** The customers' default language: each language Threadline writes in, the chosen one marked. */
  locales: Array<{ value: string; label: string; selected: boolean }>;
  /** When the satisfaction survey is mailed (with the solve, or later), the chosen one marked. */
  surveyModes: Array<{ value: string; label: string; selected: boolean }>;
}

const dateOnly = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');

/** The stored values of an inbox as form values (empty for a new inbox; TLS on by default). */
function storedValues(inbox: InboxView | null, newLocale: string): Record<string, string | boolean> {
  if (!inbox) {
    return {
      default_locale: newLocale, imap_port: '993', imap_secure: true, imap_folder: 'INBOX', smtp_port: '465', smtp_secure: true,
      auto_close_days: String(DEFAULT_AUTO_CLOSE_AFTER_DAYS), pending_reminder_days: String(DEFAULT_PENDING_REMINDER_AFTER_DAYS), quote_history: true,
      satisfaction_mode: 'solved', satisfaction_delay_hours: String(DEFAULT_SURVEY_DELAY_HOURS), satisfaction_ask_days: String(DEFAULT_ASK_EVERY_DAYS),
    };
  }
  return {
    name: inbox.name,
    default_locale: inbox.defaultLocale,
    address: inbox.address,
    display_name: inbox.displayName ?? '',
    imap_host: inbox.imap.host ?? '',
    imap_port: String(inbox.imap.port),
    imap_secure: inbox.imap.secure,
    imap_user: inbox.imap.user ?? '',
    imap_folder: inbox.imap.folder,
    smtp_host: inbox.smtp.host ?? '',
    smtp_port: String(inbox.smtp.port),
    smtp_secure: inbox.smtp.secure,
    smtp_user: inbox.smtp.user ?? '',
    mark_seen: inbox.options.markSeen,
    move_to: inbox.options.moveTo ?? '',
    import_since: dateOnly(inbox.options.importSince),
    signature: inbox.branding.signature ?? '',
    primary_color: inbox.branding.primaryColor ?? '',
    logo_url: inbox.branding.logoUrl ?? '',
    auto_close_days: String(inbox.autoCloseAfterDays),
    pending_reminder_days: String(inbox.pendingReminderAfterDays),
    quote_history: inbox.quoteHistory,
    satisfaction_enabled: inbox.satisfaction.enabled,
    satisfaction_mode: inbox.satisfaction.mode,
    satisfaction_delay_hours: String(inbox.satisfaction.delayHours),
    satisfaction_ask_days: String(inbox.satisfaction.askEveryDays),
  };
}

/**
 * The form for an inbox: what was posted when given (so a rejected form keeps what was typed),
 * else what is stored. Password inputs always start empty: a stored password never reaches a page.
 * `newLocale` is the customers' language a new inbox starts with (the instance default).
 */
export function inboxFormView(inbox: InboxView | null, posted: FormBody | null, issues: FormIssue[], tr: Translator, newLocale = 'en'): InboxFormView {
  const { t } = tr;
  const stored = storedValues(inbox, newLocale);
  const byPath = new Map(INBOX_FIELDS.map((f) => [f.path, f]));
  const errors = new Map<string, string>();
  const problems: string[] = [];
  for (const issue of issues) {
    const f = byPath.get(issue.path);
    const message = issueText(issue, tr);
    if (f && !errors.has(f.name)) errors.set(f.name, message);
    problems.push(f || issue.path ? t('settings:form.problem', { label: f ? t(f.label) : issue.path, message }) : message);
  }
  const fieldViews: Record<string, FieldView> = {};
  for (const f of INBOX_FIELDS) {
    const value = f.kind === 'password' ? '' : posted ? field(posted, f.name) : String(stored[f.name] ?? '');
    const postedChecked = (body: FormBody) => (f.name === 'imap_secure' || f.name === 'smtp_secure' ? postedSecure(body, f.name === 'imap_secure' ? 'imap' : 'smtp') : checked(body, f.name));
    const isChecked = f.kind === 'checkbox' && (posted ? postedChecked(posted) : stored[f.name] === true);
    fieldViews[f.name] = { value: f.kind === 'checkbox' ? '' : value, checked: isChecked, error: errors.get(f.name) ?? null };
  }
  return {
    fields: fieldViews,
    problems,
    hasImapPassword: inbox?.imap.hasPassword ?? false,
    hasSmtpPassword: inbox?.smtp.hasPassword ?? false,
    showAccountDetails: !inbox || inbox.imap.host !== undefined,
    locales: LOCALES.map((value) => ({ value, label: t(`settings:inbox.locale.${value}`), selected: value === fieldViews.default_locale?.value })),
    surveyModes: SURVEY_MODES.map((value) => ({ value, label: t(`settings:inbox.surveyMode.${value}`), selected: value === fieldViews.satisfaction_mode?.value })),
  };
}

/** The form's values as use case input, plus what is wrong before the use case need look (blank or non-numeric fields). */
interface Parsed<T> {
  input: T;
  issues: FormIssue[];
}

function readAccounts(body: FormBody, issues: FormIssue[]) {
  const text = (name: string) => field(body, name).trim();
  const required = (name: string, path: string) => {
    const v = text(name);
    if (v === '') issues.push(formIssue(path, 'settings:form.required'));
    return v;
  };
  const port = (name: string, path: string) => {
    const v = text(name);
    if (/^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535) return Number(v);
    issues.push(formIssue(path, 'settings:inbox.error.port'));
    return 0;
  };
  return {
    imap: { host: required('imap_host', 'imap.host'), port: port('imap_port', 'imap.port'), secure: postedSecure(body, 'imap'), user: required('imap_user', 'imap.user'), folder: text('imap_folder') || 'INBOX' },
    smtp: { host: required('smtp_host', 'smtp.host'), port: port('smtp_port', 'smtp.port'), secure: postedSecure(body, 'smtp'), user: text('smtp_user') || null },
  };
}

function readRest(body: FormBody, issues: FormIssue[]) {
  const text = (name: string) => field(body, name).trim();
  const optional = (name: string) => text(name) || null;
  const name = text('name');
  if (name === '') issues.push(formIssue('name', 'settings:form.required'));
  // Whole days; left out when not posted (a form from before lifecycle automation): the inbox keeps its setting.
  const days = (input: string, path: string): Record<string, number> => {
    const v = text(input);
    if (v === '' && body[input] === undefined) return {};
    if (/^\d{1,3}$/.test(v) && Number(v) <= MAX_LIFECYCLE_DAYS) return { [path]: Number(v) };
    issues.push(formIssue(path, 'settings:inbox.error.days'));
    return {};
  };
  const address = text('address');
  if (address === '') issues.push(formIssue('address', 'settings:form.required'));
  return {
    name,
    address,
    displayName: optional('display_name'),
    // Left out when not posted (a form from before languages): the inbox keeps its language.
    ...(text('default_locale') ? { defaultLocale: text('default_locale') } : {}),
    options: { markSeen: checked(body, 'mark_seen'), moveTo: optional('move_to'), importSince: optional('import_since') },
    branding: { signature: optional('signature'), primaryColor: optional('primary_color'), logoUrl: optional('logo_url') },
    ...days('auto_close_days', 'autoCloseAfterDays'),
    ...days('pending_reminder_days', 'pendingReminderAfterDays'),
    // Left out when the form did not show the box (`quote_history_shown`): the inbox keeps its setting.
    ...(body.quote_history_shown !== undefined ? { quoteHistory: checked(body, 'quote_history') } : {}),
    // Left out when the form did not show the survey settings (`satisfaction_shown`): the inbox keeps them.
    ...(body.satisfaction_shown !== undefined ? { satisfaction: readSurvey(body, issues) } : {}),
  };
}

/** The survey settings as posted: on or off, the mode, whole hours and days in range. */
function readSurvey(body: FormBody, issues: FormIssue[]): Record<string, unknown> {
  const whole = (name: string, path: string, max: number, key: string): Record<string, number> => {
    const v = field(body, name).trim();
    if (/^\d{1,4}$/.test(v) && Number(v) <= max) return { [path]: Number(v) };
    issues.push(formIssue(`satisfaction.${path}`, key));
    return {};
  };
  const mode = field(body, 'satisfaction_mode');
  return {
    enabled: checked(body, 'satisfaction_enabled'),
    ...((SURVEY_MODES as readonly string[]).includes(mode) ? { mode } : {}),
    ...whole('satisfaction_delay_hours', 'delayHours', MAX_SURVEY_DELAY_HOURS, 'settings:inbox.error.hours'),
    ...whole('satisfaction_ask_days', 'askEveryDays', MAX_ASK_EVERY_DAYS, 'settings:inbox.error.days'),
  };
}

/** A new inbox from the form: both accounts in full, the IMAP password required. */
export function createInboxInput(body: FormBody): Parsed<Record<string, unknown>> {
  const issues: FormIssue[] = [];
  const rest = readRest(body, issues);
  const { imap, smtp } = readAccounts(body, issues);
  // Passwords are taken verbatim: spaces may belong to them.
  const imapPassword = field(body, 'imap_password');
  if (imapPassword === '') issues.push(formIssue('imap.password', 'settings:form.required'));
  const smtpPassword = field(body, 'smtp_password');
  return { input: { ...rest, imap: { ...imap, password: imapPassword }, smtp: { ...smtp, password: smtpPassword || null } }, issues };
}

/**
 * A change to an inbox from the form. An empty password field keeps the stored password, as long as
 * the host, port, TLS mode and user stay as saved (the use case checks); the "remove SMTP password"
 * box clears it (for relays that take no login).
 */
export function updateInboxInput(body: FormBody): Parsed<Record<string, unknown>> {
  const issues: FormIssue[] = [];
  const rest = readRest(body, issues);
  const { imap, smtp } = readAccounts(body, issues);
  const imapPassword = field(body, 'imap_password');
  const smtpPassword = checked(body, 'smtp_password_remove') ? null : field(body, 'smtp_password') || undefined;
  return {
    input: {
      ...rest,
      // Left out when not posted (a form without teams to choose from): the inbox keeps its default team.
      ...(body.default_team !== undefined ? { defaultTeamId: field(body, 'default_team') || null } : {}),
      imap: { ...imap, ...(imapPassword ? { password: imapPassword } : {}) },
      smtp: { ...smtp, ...(smtpPassword !== undefined ? { password: smtpPassword } : {}) },
    },
    issues,
  };
}

/** Just the two accounts of a posted inbox form, for a connection test of unsaved values. */
export function connectionInput(body: FormBody, isNew: boolean): Parsed<{ imap: Record<string, unknown>; smtp: Record<string, unknown> }> {
  const parsed = isNew ? createInboxInput(body) : updateInboxInput(body);
  const { imap, smtp } = parsed.input as { imap: Record<string, unknown>; smtp: Record<string, unknown> };
  return { input: { imap, smtp }, issues: parsed.issues.filter((i) => i.path.startsWith('imap.') || i.path.startsWith('smtp.')) };
}
