import nodemailer, { type Transporter } from 'nodemailer';

import type { DeliveryResult, MailSender, SmtpAccount } from '../services/ports.js';
import { smtpAuthOf } from './mail-login.js';

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * RFC 5321 §4.2.1: 5yz replies are permanent, 4yz transient. Anything without a reply code (refused
 * connection, timeout, TLS trouble) is transient too, and so is a failed login, which an admin can fix.
 */
export function classifySmtpError(err: unknown): Extract<DeliveryResult, { ok: false }> {
  const e = (err ?? {}) as NodemailerError;
  const smtpCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const permanent = smtpCode !== null && smtpCode >= 500 && smtpCode < 600 && e.code !== 'EAUTH';
  return { ok: false, permanent, code: e.code ?? 'ESEND', message: e.response ?? e.message ?? String(err), smtpCode };
}

/**
 * Sends through one transporter per account. An OAuth2 account's transporter is replaced when its
 * access token changes (nodemailer logs in with the token it was created with), so an expired
 * token's transporter does not linger.
 */
export function createMailSender(opts: { connectionTimeoutMs: number }): MailSender {
  const transports = new Map<string, { t: Transporter; token: string | null }>();
  const transportFor = (a: SmtpAccount) => {
    const key = JSON.stringify([a.host, a.port, a.secure, a.user, a.accessToken ? null : a.password]);
    const token = a.accessToken ?? null;
    const known = transports.get(key);
    if (known && known.token !== token) {
      known.t.close();
      transports.delete(key);
    }
    let t = transports.get(key)?.t;
    if (!t) {
      t = nodemailer.createTransport({
        host: a.host,
        port: a.port,
        secure: a.secure,
        ...(a.user ? { auth: smtpAuthOf(a.user, a) } : {}),
        connectionTimeout: opts.connectionTimeoutMs,
        greetingTimeout: opts.connectionTimeoutMs,
        socketTimeout: opts.connectionTimeoutMs * 4,
      });
      transports.set(key, { t, token });
    }
    return t;
  };
  return {
    async send(account, envelope, raw) {
      try {
        const info = await transportFor(account).sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
        return { ok: true, response: String(info.response ?? '') };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    close() {
      for (const { t } of transports.values()) t.close();
      transports.clear();
    },
  };
}
