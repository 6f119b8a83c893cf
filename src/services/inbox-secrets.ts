import type { Types } from 'mongoose';
import type { SecretBox } from '../store/secret-box.js';

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
