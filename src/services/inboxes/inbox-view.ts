import { lifecycleSettingsOf } from '../../domain/lifecycle.js';
import { mailErrorSummary } from '../../domain/mail-account.js';
import { surveySettingsOf, type SurveySettings } from '../../domain/satisfaction.js';
import type { Locale } from '../../i18n/locales.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { InboxStatusDoc } from '../../store/models/mailbox.js';
import type { Actor } from '../access.js';
import { autoReplyOverrides, inboxLocale, type AutoReplyOverride } from '../auto-reply/auto-reply-overrides.js';

/** What the poller last reported for an inbox, or `unknown` before it ever did. */
export type InboxStatusView =
  | { state: 'unknown' }
  | Pick<InboxStatusDoc, 'state' | 'lastSyncAt' | 'behind' | 'backlog' | 'lastError' | 'nextAttemptAt'>;

/**
 * An inbox as shown to callers: passwords are reduced to `hasPassword`. Hosts and user names of the
 * accounts are for admins only; everyone else gets the accounts without them.
 */
export interface InboxView {
  id: string;
  name: string;
  address: string;
  displayName: string | null;
  /** The language customers are written to in when theirs is not known. */
  defaultLocale: Locale;
  /** The team new tickets start with; null: none. */
  defaultTeamId: string | null;
  imap: { host?: string; port: number; secure: boolean; user?: string | null; folder: string; hasPassword: boolean };
  smtp: { host?: string; port: number; secure: boolean; user?: string | null; hasPassword: boolean };
  options: { markSeen: boolean; moveTo: string | null; importSince: Date | null };
  /** `overrides`: the inbox's own subject and text per language; `subject`/`template`: those of the default language. */
  autoReply: { enabled: boolean; suggestArticles: boolean; subject: string | null; template: string | null; overrides: Record<Locale, AutoReplyOverride> };
  branding: { signature: string | null; primaryColor: string | null; logoUrl: string | null };
  /** Days a solved ticket waits before it closes on its own (0: never). */
  autoCloseAfterDays: number;
  /** Days a pending ticket waits before its assignee is reminded (0: never). */
  pendingReminderAfterDays: number;
  /** Whether an agent's reply quotes the customer's previous mail below it. */
  quoteHistory: boolean;
  /** The satisfaction survey settings (defaults filled in: off, at the solve, every 30 days). */
  satisfaction: SurveySettings;
  /** Set while the inbox is disabled (not polled, its mail held): since when and why (`admin`, `connection-test`). */
  disabled: { at: Date; reason: string; detail: string | null } | null;
  createdAt: Date;
  updatedAt: Date;
  status: InboxStatusView;
}

function statusView(status: InboxStatusDoc | null | undefined, admin: boolean): InboxStatusView {
  if (!status) return { state: 'unknown' };
  const lastError = status.lastError ?? null;
  return {
    state: status.state,
    lastSyncAt: status.lastSyncAt ?? null,
    behind: status.behind ?? 0,
    backlog: status.backlog ?? null,
    // The poller's message names the host and user and may quote the server.
    lastError: lastError && !admin ? { code: lastError.code, message: mailErrorSummary(lastError.code), at: lastError.at } : lastError,
    nextAttemptAt: status.nextAttemptAt ?? null,
  };
}

/**
 * Maps a stored inbox field by field, so nothing sealed can leak through a new schema field. Account
 * hosts, user names and the poller's error text go to admins only: they tell where the passwords work.
 */
export function toInboxView(doc: InboxDoc, status: InboxStatusDoc | null | undefined, viewer: Actor): InboxView {
  const admin = viewer.role === 'admin';
  const defaultLocale = inboxLocale(doc);
  const overrides = autoReplyOverrides(doc);
  return {
    id: doc._id.toHexString(),
    name: doc.name,
    address: doc.address,
    displayName: doc.displayName ?? null,
    defaultLocale,
    defaultTeamId: doc.defaultTeamId?.toHexString() ?? null,
    imap: {
      ...(admin ? { host: doc.imap.host } : {}),
      port: doc.imap.port,
      secure: doc.imap.secure,
      ...(admin ? { user: doc.imap.user ?? null } : {}),
      folder: doc.imap.folder,
      hasPassword: Boolean(doc.imap.passwordSealed),
    },
    smtp: {
      ...(admin ? { host: doc.smtp.host } : {}),
      port: doc.smtp.port,
      secure: doc.smtp.secure,
      ...(admin ? { user: doc.smtp.user ?? null } : {}),
      hasPassword: Boolean(doc.smtp.passwordSealed),
    },
    options: { markSeen: doc.options.markSeen, moveTo: doc.options.moveTo ?? null, importSince: doc.options.importSince ?? null },
    autoReply: { enabled: doc.autoReply.enabled, suggestArticles: doc.autoReply.suggestArticles !== false, ...overrides[defaultLocale], overrides },
    branding: { signature: doc.branding?.signature ?? null, primaryColor: doc.branding?.primaryColor ?? null, logoUrl: doc.branding?.logoUrl ?? null },
    ...lifecycleSettingsOf(doc),
    quoteHistory: doc.quoteHistory !== false,
    satisfaction: surveySettingsOf(doc),
    disabled: doc.disabled ? { at: doc.disabled.at, reason: doc.disabled.reason, detail: doc.disabled.detail ?? null } : null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    status: statusView(status, admin),
  };
}
