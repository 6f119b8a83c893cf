import type { JobScheduler } from '../../src/services/ports.js';
import { renderEmail } from '../../src/mail/render-email.js';
import type { AutoReplyDeps } from '../../src/services/auto-reply/send-auto-reply.js';
import { testLogger } from './db.js';
import type { ingestFixture } from './ingest.js';
import { rawMail } from './mail.js';
import { compose } from './use-case-deps.js';

/** The auto-reply use case over an ingest fixture's database, with the production default limits. */
export function autoReplyDeps(fx: Awaited<ReturnType<typeof ingestFixture>>, scheduler: JobScheduler, now: () => Date = () => new Date()): AutoReplyDeps {
  return {
    ...fx.stores,
    scheduler,
    compose,
    sign: fx.deps.sign,
    now,
    blobs: fx.deps.blobs,
    parse: fx.deps.parse,
    render: renderEmail,
    logger: testLogger,
    settings: { windowSeconds: 86_400, hourlyCap: 100, maxMailAgeSeconds: 86_400 },
  };
}

/**
 * A customer's mail to the fixture's inbox as the final MTA delivers it (with a Return-Path), dated
 * now: one the auto-reply policy answers. `body` is its plain text (a short English line without).
 */
export function customerMail(opts: { from: string; messageId: string; subject?: string; inReplyTo?: string; references?: string[]; body?: string }): Buffer {
  return rawMail({
    from: opts.from,
    ...(opts.body !== undefined ? { body: opts.body.replace(/\r?\n/g, '\r\n') } : {}),
    to: 'support@example.test',
    messageId: opts.messageId,
    subject: opts.subject ?? 'Printer is on fire',
    ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
    ...(opts.references ? { references: opts.references } : {}),
    date: new Date().toUTCString(),
    headers: [`Return-Path: <${opts.from.replace(/^.*<|>$/g, '')}>`],
  });
}
