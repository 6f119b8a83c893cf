import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../../domain/backoff.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { MailSender, SmtpAccount } from '../ports.js';
import type { MailLoginSource } from '../oauth/access-token.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { OutboxStore } from '../../store/outbox-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { TrailStore } from '../../store/trail-store.js';

export interface DeliverDeps {
  trail: Pick<TrailStore, 'record'>;
  outbox: Pick<OutboxStore, 'claim' | 'renewClaim' | 'findByIdWithoutRaw' | 'markSettled' | 'deferDelivery' | 'holdDelivery'>;
  messages: Pick<MessageStore, 'setDelivery'>;
  inboxes: Pick<InboxStore, 'findById'>;
  sender: MailSender;
  secrets: SecretBox;
  now: () => Date;
  logger: Logger;
  settings: { maxAttempts: number; backoff: { baseMs: number; maxMs: number } };
  /** Where the bytes of a mail too large for its outbox document are kept (`rawBlobId`); removed once it is sent. */
  outboxBlobs?: Pick<BlobStore, 'read' | 'remove'>;
  /**
   * Where an OAuth2 inbox's SMTP login (user and access token) comes from. A password login it returns
   * is not used: password inboxes send with their stored password exactly as without it.
   */
  logins?: MailLoginSource;
  /** Test hook: called right after the SMTP server accepted the message, before it is marked sent. */
  onStep?: (step: 'smtp-accepted') => void;
}

/** How long a mail of a disabled inbox waits before its delivery looks at the inbox again. */
export const INBOX_DISABLED_HOLD_MS = 5 * 60_000;

export type DeliveryOutcome = 'sent' | 'failed' | 'skipped';

/** Lean queries return a Buffer field as a BSON Binary; the bytes are the same either way. */
function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer?: Uint8Array } | null;
  if (binary?.buffer instanceof Uint8Array) return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.buffer.byteLength);
  throw new Error('outbox item has no stored message bytes');
}

/** The stored bytes of a mail: in its document, or in the blob store for a large one. */
async function rawOf(deps: DeliverDeps, item: OutboxDoc): Promise<Buffer> {
  if (!item.rawBlobId) return bytesOf(item.raw);
  if (!deps.outboxBlobs) throw new Error('outbox item keeps its bytes in the blob store, which this worker was not given');
  return deps.outboxBlobs.read(item.rawBlobId);
}

/** The retry delay for a deferred delivery; the job runner and the stored nextAttemptAt agree on it. */
export function deliveryRetryDelayMs(attempt: number, backoff: { baseMs: number; maxMs: number }): number {
  return backoffDelayMs(attempt, backoff, () => 0.5);
}

/**
 * Takes the mail for this run: a pending one, or one left 'sending' by a run whose claim expired (its
 * worker died, possibly after the SMTP server accepted the mail). Null when another run holds it or
 * it is settled.
 */
async function claim(deps: DeliverDeps, outboxId: Types.ObjectId, claimedBy: string, leaseMs: number): Promise<OutboxDoc | null> {
  return deps.outbox.claim(outboxId, claimedBy, deps.now(), leaseMs);
}

/** Keeps this run's claim alive while it talks to a slow SMTP server; the returned function stops it. */
function renewClaim(deps: DeliverDeps, outboxId: Types.ObjectId, claimedBy: string, leaseMs: number): () => void {
  const timer = setInterval(() => {
    const until = new Date(deps.now().getTime() + leaseMs);
    deps.outbox.renewClaim(outboxId, claimedBy, until).catch((err: unknown) =>
      deps.logger.warn({ outboxId, err: (err as Error).message }, 'could not renew the delivery claim'),
    );
  }, Math.max(Math.floor(leaseMs / 3), 10));
  return () => clearInterval(timer);
}

/**
 * Why a run could not claim the mail: it is settled (then what follows from that is made sure of), or
 * another run holds it (retry when its claim ends).
 */
async function heldElsewhere(deps: DeliverDeps, outboxId: Types.ObjectId): Promise<'skipped'> {
  const current = await deps.outbox.findByIdWithoutRaw(outboxId);
  if (!current) return 'skipped';
  if (current.state === 'sent' || current.state === 'failed') {
    const at = (current.state === 'sent' ? current.sentAt : current.lastError?.at) ?? current.updatedAt ?? deps.now();
    await afterSettled(deps, current, current.state, at, current.state === 'failed' ? current.lastError : undefined);
    return 'skipped';
  }
  const nextAttemptAt = current.state === 'sending' && current.claimedUntil ? current.claimedUntil : deps.now();
  throw new AppError('DELIVERY_DEFERRED', 'delivery deferred: another delivery run is sending this mail', { details: { outboxId: String(outboxId), nextAttemptAt }, key: 'delivery.busy' });
}

async function settle(deps: DeliverDeps, item: OutboxDoc, state: 'sent' | 'failed', detail: { response?: string; error?: OutboxDoc['lastError'] }): Promise<void> {
  const at = deps.now();
  await deps.outbox.markSettled(item._id, state, at, detail);
  await afterSettled(deps, item, state, at, detail.error);
}

/*
 * What follows from a settled mail: its conversation copy shows the outcome and the trail records it.
 * Both writes are safe to repeat, so a run that finds the mail already settled (the last one died
 * right after marking it) makes them again.
 */
async function afterSettled(deps: DeliverDeps, item: OutboxDoc, state: 'sent' | 'failed', at: Date, error?: OutboxDoc['lastError']): Promise<void> {
  await deps.messages.setDelivery(item.messageId, { state, error: error?.message ?? null, at });
  if (!item.ticketId) return;
  const customerMail = item.kind === 'agent-reply' || item.kind === 'auto-reply';
  if (state === 'sent' && !customerMail) return;
  await deps.trail.record({
    ticketId: item.ticketId as Types.ObjectId,
    type: state === 'sent' ? (item.kind === 'auto-reply' ? 'auto_reply_sent' : 'reply_sent') : 'reply_failed',
    actor: { kind: 'system', label: 'outbox' },
    at,
    data: { outboxId: item._id, kind: item.kind, messageId: item.messageId, to: item.envelope.to, ...(error ? { error } : {}) },
    key: `outbox:${item._id.toHexString()}:${state}`,
  });
}

/** Holds a mail whose inbox must be connected again: it waits, not counted as an attempt, and leaves once reconnected. */
async function holdForReconnect(deps: DeliverDeps, item: OutboxDoc, err: AppError): Promise<never> {
  const nextAttemptAt = new Date(deps.now().getTime() + INBOX_DISABLED_HOLD_MS);
  await deps.outbox.holdDelivery(item._id, { code: err.code, message: err.message, at: deps.now() }, nextAttemptAt);
  throw new AppError('DELIVERY_DEFERRED', 'delivery held: the inbox must be connected again', { details: { outboxId: String(item._id), nextAttemptAt }, key: 'delivery.busy' });
}

/** The SMTP account with the inbox's OAuth2 user and token; null for a password inbox (or no login source). */
async function oauthAccount(deps: DeliverDeps, item: OutboxDoc, inboxId: Types.ObjectId, account: SmtpAccount): Promise<SmtpAccount | null> {
  if (!deps.logins) return null;
  try {
    const login = await deps.logins.loginFor(inboxId, 'smtp');
    return login.kind === 'oauth2' ? { ...account, user: login.user, password: null, accessToken: login.accessToken } : null;
  } catch (err) {
    if (isAppError(err, 'MAIL_RECONNECT_NEEDED')) return holdForReconnect(deps, item, err);
    throw err;
  }
}

/**
 * Sends; an OAuth2 login the server refuses (EAUTH) is reported to the login source, which refreshes
 * the token, and the send is tried once more with it. Refused again, the source hears of that too (it
 * may give up on the grant) and the attempt ends as a refused login. A grant that is gone holds the
 * mail until reconnected.
 */
async function sendOnce(deps: DeliverDeps, item: OutboxDoc, inboxId: Types.ObjectId, account: SmtpAccount, raw: Buffer, oauth2: boolean) {
  let result = await deps.sender.send(account, item.envelope, raw);
  let tried = account;
  for (let retried = false; !result.ok && oauth2 && result.code === 'EAUTH'; retried = true) {
    let login;
    try {
      login = await deps.logins!.afterAuthFailure(inboxId, 'smtp', result.message, tried.accessToken ?? undefined);
    } catch (err) {
      if (isAppError(err, 'MAIL_RECONNECT_NEEDED')) return holdForReconnect(deps, item, err);
      throw err;
    }
    if (retried || login.kind !== 'oauth2') break;
    tried = { ...account, user: login.user, accessToken: login.accessToken };
    result = await deps.sender.send(tried, item.envelope, raw);
  }
  return result;
}

/**
 * One delivery attempt of a queued mail through its inbox's SMTP account. Sent → done; a permanent
 * refusal (5xx) → failed and recorded on the ticket; a transient one → throws DELIVERY_DEFERRED so
 * the job runner retries with backoff, until maxAttempts. A crash after the server accepted the mail
 * repeats the send with the same stored bytes and Message-ID, never a different message.
 *
 * Each run claims the mail for `leaseMs` and renews the claim while it sends, so two overlapping runs
 * (a job lock that expired during a slow send, the job scheduled twice) never both send it: the later
 * one throws DELIVERY_DEFERRED with the claim's end as nextAttemptAt, and does not count as an attempt.
 * The job runner passes its lock lifetime, so a dead worker's claim has expired when its job runs again.
 */
export async function deliverOutboxItem(deps: DeliverDeps, outboxId: Types.ObjectId, leaseMs: number): Promise<DeliveryOutcome> {
  const claimedBy = randomUUID();
  const item = await claim(deps, outboxId, claimedBy, leaseMs);
  if (!item) return heldElsewhere(deps, outboxId);
  const inbox = await deps.inboxes.findById(item.inboxId);
  if (!inbox) {
    await settle(deps, item, 'failed', { error: { code: 'NOT_FOUND', message: 'the inbox of this mail no longer exists', at: deps.now() } });
    return 'failed';
  }
  if (inbox.deletedAt || inbox.movingTo) {
    await settle(deps, item, 'failed', { error: { code: 'INBOX_DELETED', message: 'the inbox of this mail was deleted', at: deps.now() } });
    return 'failed';
  }
  if (inbox.disabled) {
    // Held, not lost: the mail waits as pending (the attempt not counted) and is looked at again
    // every INBOX_DISABLED_HOLD_MS, so it leaves within that time once the inbox is enabled again.
    const nextAttemptAt = new Date(deps.now().getTime() + INBOX_DISABLED_HOLD_MS);
    await deps.outbox.holdDelivery(item._id, { code: 'INBOX_DISABLED', message: 'the inbox of this mail is disabled; the mail is held until it is enabled', at: deps.now() }, nextAttemptAt);
    throw new AppError('DELIVERY_DEFERRED', 'delivery held: the inbox is disabled', { details: { outboxId: String(outboxId), nextAttemptAt }, key: 'delivery.busy' });
  }
  const smtp = inbox.smtp;
  const password = smtp.passwordSealed ? deps.secrets.open(smtp.passwordSealed, `inbox:${inbox._id.toHexString()}:smtp`) : null;
  const account: SmtpAccount = { host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user ?? null, password };
  const oauth = await oauthAccount(deps, item, inbox._id, account);
  const raw = await rawOf(deps, item);
  const stopRenewing = renewClaim(deps, item._id, claimedBy, leaseMs);
  const result = await sendOnce(deps, item, inbox._id, oauth ?? account, raw, oauth !== null).finally(stopRenewing);
  if (result.ok) {
    deps.onStep?.('smtp-accepted');
    await settle(deps, item, 'sent', { response: result.response });
    // Sent for good: a large mail's separate bytes are no longer needed (a crash before this leaves them, harmlessly).
    if (item.rawBlobId) await deps.outboxBlobs?.remove(item.rawBlobId).catch((err: unknown) => deps.logger.warn({ outboxId, err: (err as Error).message }, 'could not remove the stored bytes of a sent mail'));
    return 'sent';
  }
  const error = { code: result.code, message: result.message.slice(0, 1000), smtpCode: result.smtpCode, at: deps.now() };
  if (result.permanent || item.attempts >= deps.settings.maxAttempts) {
    deps.logger.warn({ outboxId, error, attempts: item.attempts }, 'delivery failed for good');
    await settle(deps, item, 'failed', { error: result.permanent ? error : { ...error, code: 'RETRIES_EXHAUSTED' } });
    return 'failed';
  }
  const nextAttemptAt = new Date(deps.now().getTime() + deliveryRetryDelayMs(item.attempts, deps.settings.backoff));
  await deps.outbox.deferDelivery(item._id, error, nextAttemptAt);
  throw new AppError('DELIVERY_DEFERRED', `delivery deferred: ${error.message}`, { details: { outboxId: String(outboxId), nextAttemptAt }, key: 'delivery.deferred', params: { reason: error.message } });
}
