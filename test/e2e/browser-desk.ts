import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import type { Role } from '../../src/composition.js';
import { hashPassword } from '../../src/store/passwords.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { launchChromium } from './browser-harness.js';

/** A running Threadline for a browser test: its SMTP server, optional Dovecot, the app and Chromium. */
export interface BrowserDesk {
  smtp: TestSmtp;
  /** Only when mailboxes were asked for. */
  dovecot: DovecotServer | null;
  app: Awaited<ReturnType<typeof startRuntime>>;
  browser: Browser;
  /** The web role's address, `http://127.0.0.1:<port>`. */
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts what the sending browser tests share: a real SMTP server, Dovecot with `mailboxes` when
 * given, the runtime with `roles` (the first serving the pages) and `env`, and Chromium.
 */
export async function startBrowserDesk(name: string, roles: Role[], opts: { env?: Record<string, string>; mailboxes?: string[] } = {}): Promise<BrowserDesk> {
  const dovecot = opts.mailboxes ? await startDovecot(opts.mailboxes) : null;
  const smtp = await startSmtp();
  const app = await startRuntime(name, roles, opts.env ?? {});
  const base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  return {
    smtp, dovecot, app, browser, base,
    async stop() {
      await browser.close();
      await app.stop();
      await smtp.close();
      await dovecot?.stop();
    },
  };
}

/**
 * An inbox sending through the desk's SMTP server (no auto-reply; its IMAP side unused) and one agent
 * of it, signed in later by email and password. Returns the inbox id.
 */
export async function sendingInboxWithAgent(
  desk: BrowserDesk,
  inbox: { address: string; quoteHistory?: boolean },
  agent: { email: string; name: string; password: string },
): Promise<Types.ObjectId> {
  const _id = new Types.ObjectId();
  await desk.app.models.Inbox.create({
    _id, name: 'Helpdesk', address: inbox.address, autoReply: { enabled: false }, ...(inbox.quoteHistory === false ? { quoteHistory: false } : {}),
    imap: { host: '127.0.0.1', port: 1, secure: false, user: inbox.address }, smtp: { host: '127.0.0.1', port: desk.smtp.port, secure: false },
  });
  await desk.app.models.User.create({ email: agent.email, name: agent.name, role: 'agent', inboxIds: [_id], passwordHash: await hashPassword(agent.password) });
  return _id;
}
