import type { Types } from 'mongoose';
import { endpointMoved, PASSWORD_REQUIRED_WHEN_MOVED, type AccountEndpoint } from '../../domain/mail-account.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { SecretBox } from '../../store/secret-box.js';
import { inputIssue, type InputIssue } from '../validate.js';

/**
 * The additional data a mail account password is sealed with: binds the ciphertext to one inbox and
 * one protocol, so it cannot be copied onto another record. Whoever opens it must use the same string.
 */
export function inboxPasswordContext(inboxId: Types.ObjectId, account: 'imap' | 'smtp'): string {
  return `inbox:${inboxId.toHexString()}:${account}`;
}

/** Seals a mail account password for storage in `imap.passwordSealed` / `smtp.passwordSealed`. */
export function sealInboxPassword(secrets: SecretBox, inboxId: Types.ObjectId, account: 'imap' | 'smtp', password: string): string {
  return secrets.seal(password, inboxPasswordContext(inboxId, account));
}

/** The account fields of a change to an inbox; a missing field keeps the stored value, an empty password means "keep the stored one". */
export interface AccountChanges {
  imap?: { host?: string; port?: number; secure?: boolean; user?: string; password?: string };
  smtp?: { host?: string; port?: number; secure?: boolean; user?: string | null; password?: string | null };
}

/** The saved endpoints of an inbox's two accounts. */
export function savedEndpoints(inbox: Pick<InboxDoc, 'imap' | 'smtp'>): Record<'imap' | 'smtp', AccountEndpoint> {
  return {
    imap: { host: inbox.imap.host, port: inbox.imap.port, secure: inbox.imap.secure, user: inbox.imap.user ?? null },
    smtp: { host: inbox.smtp.host, port: inbox.smtp.port, secure: inbox.smtp.secure, user: inbox.smtp.user ?? null },
  };
}

/**
 * The accounts of `changes` that would take a stored password to another host, port, TLS mode or
 * user, as input issues naming their password field. A stored password only ever goes where it was
 * saved for; an SMTP account that ends up without a user sends none.
 */
export function movedPasswordIssues(inbox: Pick<InboxDoc, 'imap' | 'smtp'>, changes: AccountChanges): InputIssue[] {
  const saved = savedEndpoints(inbox);
  const issues: InputIssue[] = [];
  const { imap, smtp } = changes;
  if (imap && !imap.password && inbox.imap.passwordSealed) {
    const next = { host: imap.host ?? saved.imap.host, port: imap.port ?? saved.imap.port, secure: imap.secure ?? saved.imap.secure, user: imap.user ?? saved.imap.user };
    if (endpointMoved(saved.imap, next)) issues.push(inputIssue('imap.password', 'issue.passwordWhenMoved', PASSWORD_REQUIRED_WHEN_MOVED));
  }
  if (smtp && smtp.password !== null && !smtp.password && inbox.smtp.passwordSealed) {
    const user = smtp.user !== undefined ? smtp.user : saved.smtp.user;
    const next = { host: smtp.host ?? saved.smtp.host, port: smtp.port ?? saved.smtp.port, secure: smtp.secure ?? saved.smtp.secure, user };
    if (user !== null && endpointMoved(saved.smtp, next)) issues.push(inputIssue('smtp.password', 'issue.passwordWhenMoved', PASSWORD_REQUIRED_WHEN_MOVED));
  }
  return issues;
}
