import { Types } from 'mongoose';
import { surveySettingsOf } from '../../domain/satisfaction.js';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import { LOCALES, type Locale } from '../../i18n/locales.js';
import type { TeamStore } from '../../store/team-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import { lifecycleSettingsOf } from '../../domain/lifecycle.js';
import { proposedSecure } from '../../domain/mail-account.js';
import { requireAdmin, type Actor } from '../access.js';
import { autoReplyTextsOf, type AutoReplyTextInput } from '../auto-reply/auto-reply-overrides.js';
import { createInboxSchema } from './inbox-schemas.js';
import { sealInboxPassword } from './inbox-secrets.js';
import { toInboxView, type InboxView } from './inbox-view.js';
import { parseInput } from '../validate.js';

/** What the inbox use cases need. */
export interface InboxDeps {
  inboxes: Pick<InboxStore, 'create' | 'findById' | 'updateIfUnchanged' | 'findStatus'>;
  /** The teams an inbox's default team is checked against. */
  teams: Pick<TeamStore, 'findById'>;
  secrets: SecretBox;
  logger: Logger;
  /** Checks an auto-reply subject/text override; returns what is wrong with it, or null. */
  validateTemplate?: (source: string) => string | null;
}

/**
 * Refuses an auto-reply override that would not render, naming the field (`autoReply.subject`,
 * `autoReply.overrides.fr.template`; `prefix` replaces `autoReply.`), before it is saved.
 */
export function checkAutoReplyOverrides(
  deps: Pick<InboxDeps, 'validateTemplate'>,
  autoReply: (AutoReplyTextInput & { overrides?: Partial<Record<Locale, AutoReplyTextInput | undefined>> | null }) | undefined,
  prefix = 'autoReply.',
): void {
  if (!autoReply || !deps.validateTemplate) return;
  const texts: Array<[string, AutoReplyTextInput | undefined]> = [['', autoReply], ...LOCALES.map((l): [string, AutoReplyTextInput | undefined] => [`overrides.${l}.`, autoReply.overrides?.[l]])];
  const issues = texts.flatMap(([at, text]) =>
    (['subject', 'template'] as const).flatMap((field) => {
      const source = text?.[field];
      const problem = source ? deps.validateTemplate!(source) : null;
      return problem ? [{ path: `${prefix}${at}${field}`, message: problem }] : [];
    }),
  );
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', 'Inbox is invalid', { details: { issues } });
}

/** True for MongoDB's duplicate key error. */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

/** The create schema without the IMAP password, for an inbox that is to sign in with OAuth2. */
const oauthInboxSchema = createInboxSchema.extend({ imap: createInboxSchema.shape.imap.extend({ password: createInboxSchema.shape.imap.shape.password.optional() }) });

/**
 * Adds an inbox (admins only). The address is stored lower-cased and must be unused; the passwords are
 * sealed with the new inbox's id as context, so the id is chosen before the document is written.
 * `opts.oauth2`: the inbox is to sign in with OAuth2 (services/oauth), so no IMAP password is asked for.
 */
export async function createInbox(deps: InboxDeps, actor: Actor, input: unknown, opts: { oauth2?: boolean } = {}): Promise<InboxView> {
  requireAdmin(actor);
  const data = parseInput(opts.oauth2 ? oauthInboxSchema : createInboxSchema, input, 'Inbox');
  checkAutoReplyOverrides(deps, data.autoReply);
  const _id = new Types.ObjectId();
  const defaultLocale = data.defaultLocale ?? 'en';
  const overrides = Object.fromEntries(
    autoReplyTextsOf(data.autoReply ?? {}, defaultLocale).map(([locale, t]) => [locale, { subject: t.subject ?? null, template: t.template ?? null }]),
  );
  try {
    const doc = await deps.inboxes.create({
      _id,
      name: data.name,
      address: data.address,
      displayName: data.displayName ?? null,
      defaultLocale,
      imap: {
        host: data.imap.host,
        port: data.imap.port,
        secure: data.imap.secure ?? proposedSecure(data.imap.port),
        user: data.imap.user,
        folder: data.imap.folder ?? 'INBOX',
        passwordSealed: data.imap.password ? sealInboxPassword(deps.secrets, _id, 'imap', data.imap.password) : null,
      },
      smtp: {
        host: data.smtp.host,
        port: data.smtp.port,
        secure: data.smtp.secure ?? proposedSecure(data.smtp.port),
        user: data.smtp.user ?? null,
        passwordSealed: data.smtp.password ? sealInboxPassword(deps.secrets, _id, 'smtp', data.smtp.password) : null,
      },
      options: { markSeen: data.options?.markSeen ?? false, moveTo: data.options?.moveTo ?? null, importSince: data.options?.importSince ?? null },
      autoReply: { enabled: data.autoReply?.enabled ?? true, suggestArticles: data.autoReply?.suggestArticles ?? true, overrides },
      branding: { signature: data.branding?.signature ?? null, primaryColor: data.branding?.primaryColor ?? null, logoUrl: data.branding?.logoUrl ?? null },
      ...lifecycleSettingsOf(data),
      quoteHistory: data.quoteHistory ?? true,
      satisfaction: surveySettingsOf(data),
    });
    deps.logger.info({ inboxId: _id.toHexString(), address: data.address }, 'inbox created');
    return toInboxView(doc, null, actor);
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('CONFLICT', `An inbox with address ${data.address} already exists`, { key: 'conflict.inboxAddressTaken', params: { address: data.address } });
    throw err;
  }
}
