import { Types } from 'mongoose';
import type { Models } from '../../src/store/models/index.js';
import { createSecretBox } from '../../src/store/secret-box.js';

export const TEST_SECRET_KEY = 'test-secret-key-of-at-least-32-characters!';

/** Creates an inbox whose IMAP account is a user on the test Dovecot, password sealed as the app does. */
export async function createImapInbox(
  models: Models,
  opts: { address: string; port: number; password: string; user?: string; folder?: string; host?: string; markSeen?: boolean; moveTo?: string; importSince?: Date },
) {
  const _id = new Types.ObjectId();
  const box = createSecretBox(TEST_SECRET_KEY);
  return models.Inbox.create({
    _id,
    name: opts.address,
    address: opts.address,
    imap: {
      host: opts.host ?? '127.0.0.1',
      port: opts.port,
      secure: false,
      user: opts.user ?? opts.address,
      passwordSealed: box.seal(opts.password, `inbox:${_id.toHexString()}:imap`),
      folder: opts.folder ?? 'INBOX',
    },
    smtp: { host: '127.0.0.1', port: 25, secure: false },
    options: { markSeen: opts.markSeen ?? false, moveTo: opts.moveTo ?? null, importSince: opts.importSince ?? null },
  });
}

/**
 * What an admin submits to create an inbox (`createInbox`'s input): both accounts on made-up hosts, with
 * the passwords `imap secret` and `smtp secret`. `extra` replaces top-level fields.
 */
export function newInboxInput(address: string, extra: Record<string, unknown> = {}) {
  return {
    name: address.split('@')[0]!,
    address,
    imap: { host: 'imap.example.test', port: 993, secure: true, user: address, password: 'imap secret' },
    smtp: { host: 'smtp.example.test', port: 465, secure: true, user: address, password: 'smtp secret' },
    ...extra,
  };
}
