import { z } from 'zod';
import { MAX_LIFECYCLE_DAYS } from '../../domain/lifecycle.js';
import { MAX_ASK_EVERY_DAYS, MAX_SURVEY_DELAY_HOURS, SURVEY_MODES } from '../../domain/satisfaction.js';
import { LOCALES } from '../../i18n/locales.js';

const host = z.string().trim().min(1).max(255);
const port = z.number().int().min(1).max(65535);
const user = z.string().trim().min(1).max(320);
// Passwords are taken verbatim: leading or trailing spaces may be part of them.
const password = z.string().min(1).max(1024);
const folder = z.string().trim().min(1).max(255);
const text = (max: number) => z.string().trim().max(max);

const isoDate = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO date (YYYY-MM-DD) or date-time with a time zone',
  })
  .transform((s) => new Date(s));

const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be an email address' }));

const options = {
  markSeen: z.boolean().optional(),
  moveTo: folder.nullable().optional(),
  importSince: isoDate.nullable().optional(),
};

const branding = z.strictObject({
  signature: text(2000).nullable().optional(),
  primaryColor: z.string().regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, 'must be a colour like #1a73e8').nullable().optional(),
  logoUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional(),
});

const autoReplyText = {
  subject: text(500).nullable().optional(),
  template: text(100_000).nullable().optional(),
};

/**
 * The inbox's own auto-reply subject and text: per language in `overrides`; the plain `subject` and
 * `template` (the API before languages) are those of the inbox's default language.
 */
const autoReply = {
  ...autoReplyText,
  suggestArticles: z.boolean().optional().meta({ description: 'List up to 3 matching published help center articles in the acknowledgement (default true).' }),
  overrides: z.strictObject({ en: z.strictObject(autoReplyText).optional(), fr: z.strictObject(autoReplyText).optional() } satisfies Record<(typeof LOCALES)[number], unknown>).optional(),
};

/** The language customers are written to in when theirs is not known. */
const defaultLocale = z.enum(LOCALES);

/** Lifecycle automation (domain/lifecycle.ts): whole days, 0 for never. */
const lifecycleDays = z.number().int().min(0).max(MAX_LIFECYCLE_DAYS);
const lifecycle = {
  /** Days a solved ticket waits for the customer before it closes; 0: never. */
  autoCloseAfterDays: lifecycleDays.optional(),
  /** Days a pending ticket waits before its assignee is reminded; 0: never. */
  pendingReminderAfterDays: lifecycleDays.optional(),
};

/** Whether an agent's reply quotes the customer's previous mail below it (on by default). */
const quoteHistory = z.boolean().meta({ description: 'Whether an agent’s reply quotes the customer’s previous mail below it, as mail clients do (default true).' });

/** The satisfaction survey (domain/satisfaction.ts): off by default; any field may be left out. */
const satisfaction = z
  .strictObject({
    enabled: z.boolean().optional(),
    mode: z.enum(SURVEY_MODES).optional(),
    delayHours: z.number().int().min(0).max(MAX_SURVEY_DELAY_HOURS).optional(),
    askEveryDays: z.number().int().min(0).max(MAX_ASK_EVERY_DAYS).optional(),
  })
  .meta({ description: 'The satisfaction survey mailed when a ticket is solved: `mode` `solved` (at once) or `delayed` (`delayHours` later); a customer is asked at most once per `askEveryDays` days per inbox (0: every solve).' });

/** A new inbox, as the API and the CLI accept it. Unknown keys are refused so typos do not pass silently. */
export const createInboxSchema = z.strictObject({
  name: text(200).min(1),
  address: emailAddress,
  displayName: text(200).nullable().optional(),
  defaultLocale: defaultLocale.optional(),
  // `secure` left out: the mode the port calls for (proposedSecure: 993/465 TLS, 143/587/25 STARTTLS).
  imap: z.strictObject({ host, port, secure: z.boolean().optional(), user, password, folder: folder.optional() }),
  smtp: z.strictObject({ host, port, secure: z.boolean().optional(), user: user.nullable().optional(), password: password.nullable().optional() }),
  options: z.strictObject(options).optional(),
  autoReply: z.strictObject({ enabled: z.boolean(), ...autoReply }).optional(),
  branding: branding.optional(),
  quoteHistory: quoteHistory.optional(),
  satisfaction: satisfaction.optional(),
  ...lifecycle,
});

/**
 * A partial change to an inbox. A password is replaced only when given; `smtp.password: null`
 * removes the SMTP password (for relays without authentication).
 */
export const updateInboxSchema = z.strictObject({
  name: text(200).min(1).optional(),
  address: emailAddress.optional(),
  displayName: text(200).nullable().optional(),
  defaultLocale: defaultLocale.optional(),
  /** The team new tickets start with (a team that works this inbox); null: none. */
  defaultTeamId: z.string().nullable().optional(),
  imap: z.strictObject({ host, port, secure: z.boolean(), user, password, folder }).partial().optional(),
  smtp: z
    .strictObject({ host, port, secure: z.boolean(), user: user.nullable(), password: password.nullable() })
    .partial()
    .optional(),
  options: z.strictObject(options).optional(),
  autoReply: z.strictObject({ enabled: z.boolean().optional(), ...autoReply }).optional(),
  branding: branding.optional(),
  quoteHistory: quoteHistory.optional(),
  satisfaction: satisfaction.optional(),
  ...lifecycle,
});

export type CreateInboxInput = z.output<typeof createInboxSchema>;
export type UpdateInboxInput = z.output<typeof updateInboxSchema>;
