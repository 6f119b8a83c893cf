import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../domain/backoff.js';
import { AppError } from '../domain/errors.js';
import type { MailSender } from '../mail/smtp-transport.js';
import type { Models } from '../store/models/index.js';
import type { OutboxDoc } from '../store/models/outbox.js';
import type { SecretBox } from '../store/secret-box.js';
import { recordEvent } from '../store/ticket-writes.js';

export interface DeliverDeps {
  models: Models;
  sender: MailSender;
  secrets: SecretBox;
  now: () => Date;
  logger: Logger;
  settings: { maxAttempts: number; backoff: { baseMs: number; maxMs: number } };
  /** Test hook: called right after the SMTP server accepted the message, before it is marked sent. */
  onStep?: (step: 'smtp-accepted') => void;
}

export type DeliveryOutcome = 'sent' | 'failed' | 'skipped';

/** Lean queries return a Buffer field as a BSON Binary; the bytes are the same either way. */
function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer?: Uint8Array } | null;
  if (binary?.buffer instanceof Uint8Array) return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.buffer.byteLength);
  throw new Error('outbox item has no stored message bytes');
}

/** The retry delay for a deferred delivery; the job runner and the stored nextAttemptAt agree on it. */
export function deliveryRetryDelayMs(attempt: number, backoff: { baseMs: number; maxMs: number }): number {
  return backoffDelayMs(attempt, backoff, () => 0.5);
}

async function settle(deps: DeliverDeps, item: OutboxDoc, state: 'sent' | 'failed', detail: { response?: string; error?: OutboxDoc['lastError'] }): Promise<void> {
  const at = deps.now();
  await deps.models.Outbox.updateOne(
    { _id: item._id },
    { $set: { state, ...(state === 'sent' ? { sentAt: at, smtpResponse: detail.response ?? null, nextAttemptAt: null } : { lastError: detail.error, nextAttemptAt: null }) } },
  );
  await deps.models.Message.updateOne(
    { messageId: item.messageId, direction: 'outbound' },
    { $set: { delivery: { state, error: detail.error?.message ?? null, at } } },
  );
  if (!item.ticketId) return;
  const customerMail = item.kind === 'agent-reply' || item.kind === 'auto-reply';
  if (state === 'sent' && !customerMail) return;
  await recordEvent(deps.models, {
    ticketId: item.ticketId as Types.ObjectId,
    type: state === 'sent' ? (item.kind === 'auto-reply' ? 'auto_reply_sent' : 'reply_sent') : 'reply_failed',
    actor: { kind: 'system', label: 'outbox' },
    at,
    data: { outboxId: item._id, kind: item.kind, messageId: item.messageId, to: item.envelope.to, ...(detail.error ? { error: detail.error } : {}) },
    key: `outbox:${item._id.toHexString()}:${state}`,
  });
}

/**
 * One delivery attempt of a queued mail through its inbox's SMTP account. Sent → done; a permanent
 * refusal (5xx) → failed and recorded on the ticket; a transient one → throws DELIVERY_DEFERRED so
 * the job runner retries with backoff, until maxAttempts. A crash after the server accepted the mail
 * repeats the send with the same stored bytes and Message-ID, never a different message.
 */
export async function deliverOutboxItem(deps: DeliverDeps, outboxId: Types.ObjectId): Promise<DeliveryOutcome> {
  const item = await deps.models.Outbox.findOneAndUpdate(
    { _id: outboxId, state: { $in: ['pending', 'sending'] } },
    { $set: { state: 'sending' }, $inc: { attempts: 1 } },
    { returnDocument: 'after', lean: true },
  );
  if (!item) return 'skipped';
  const inbox = await deps.models.Inbox.findById(item.inboxId).lean();
  if (!inbox) {
    await settle(deps, item, 'failed', { error: { code: 'NOT_FOUND', message: 'the inbox of this mail no longer exists', at: deps.now() } });
    return 'failed';
  }
  const smtp = inbox.smtp;
  const password = smtp.passwordSealed ? deps.secrets.open(smtp.passwordSealed, `inbox:${inbox._id.toHexString()}:smtp`) : null;
  const result = await deps.sender.send({ host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user ?? null, password }, item.envelope, bytesOf(item.raw));
  if (result.ok) {
    deps.onStep?.('smtp-accepted');
    await settle(deps, item, 'sent', { response: result.response });
    return 'sent';
  }
  const error = { code: result.code, message: result.message.slice(0, 1000), smtpCode: result.smtpCode, at: deps.now() };
  if (result.permanent || item.attempts >= deps.settings.maxAttempts) {
    deps.logger.warn({ outboxId, error, attempts: item.attempts }, 'delivery failed for good');
    await settle(deps, item, 'failed', { error: result.permanent ? error : { ...error, code: 'RETRIES_EXHAUSTED' } });
    return 'failed';
  }
  const nextAttemptAt = new Date(deps.now().getTime() + deliveryRetryDelayMs(item.attempts, deps.settings.backoff));
  await deps.models.Outbox.updateOne({ _id: item._id }, { $set: { state: 'pending', lastError: error, nextAttemptAt } });
  throw new AppError('DELIVERY_DEFERRED', `delivery deferred: ${error.message}`, { details: { outboxId: String(outboxId), nextAttemptAt } });
}
