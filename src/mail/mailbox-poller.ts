import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../domain/backoff.js';
import { AppError } from '../domain/errors.js';
import type { BatchOutcome, IngestInput } from '../services/ingest/ingest-ports.js';
import type { ImapTarget } from '../services/inboxes/test-inbox-connection.js';
import type { MailLogin, MailLoginSource } from '../services/oauth/access-token.js';
import type { InboxStore } from '../store/inbox-store.js';
import type { MailboxStateStore } from '../store/mailbox-state-store.js';
import type { InboxStatusDoc } from '../store/models/mailbox.js';
import { classifyImapError } from './imap-errors.js';
import { imapAuthOf, isReconnectNeeded, loginExpiry, oauthSessionMs, refusalText, type ImapAuth } from './mail-login.js';
import { chunksOf } from '../domain/chunks.js';

/** Points in the sync loop a test may stop the process at. */
export type PollStep = 'fetched' | 'ingested' | 'cursor-saved' | 'idle';

export interface PollerSettings {
  pollIntervalMs: number;
  maxIdleMs: number;
  fetchBatch: number;
  connectTimeoutMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** Wrong credentials or a missing folder will not fix themselves: retry this rarely. */
  configErrorRetryMs: number;
  /** A message whose ingest fails this many times for a reason other than the database is quarantined. */
  maxIngestAttempts: number;
  /**
   * An OAuth2 session is ended and logged in again with a fresh token after this long (default 30
   * minutes), or a minute before its token expires when the login says when: providers close a session
   * whose token expired, and a new login is cheaper than a refused command.
   */
  maxOAuthSessionMs?: number;
  /** How often a poller whose inbox needs reconnecting asks whether it was reconnected (default: a minute). */
  reconnectCheckMs?: number;
}

export interface MailboxConfig extends ImapTarget {
  inboxId: Types.ObjectId;
  markSeen: boolean;
  moveTo: string | null;
  importSince: Date | null;
}

export interface MailboxPollerDeps {
  /** Where the poller reports its state (`inbox_status`). */
  inboxes: Pick<InboxStore, 'reportStatus'>;
  /** The mailbox cursors. */
  mailboxState: Pick<MailboxStateStore, 'findCursor' | 'resetCursor' | 'advanceCursor'>;
  /** Ingests a fetched batch, in the order given; one outcome per mail. */
  ingest: (batch: IngestInput[]) => Promise<BatchOutcome[]>;
  quarantine: (input: { inboxId: Types.ObjectId; raw: Buffer; reason: string; detail: string; source: IngestInput['source'] }) => Promise<void>;
  logger: Logger;
  now: () => Date;
  owner: string;
  settings: PollerSettings;
  onStep?: (step: PollStep) => void;
  /**
   * Where logins come from: an OAuth2 inbox's user and access token. A password login it returns is
   * replaced by the mailbox's own user and password, so password inboxes log in exactly as without it.
   */
  logins?: MailLoginSource;
}

function isDatabaseError(err: unknown): boolean {
  const name = (err as { name?: string }).name ?? '';
  return /^Mongo(Network|ServerSelection|NotConnected|Topology|PoolCleared)/.test(name) || name === 'MongoNetworkTimeoutError';
}

/**
 * Works one mailbox: connects, reads everything past the stored cursor, then waits with IDLE (RFC
 * 2177) or polls, and reconnects with capped backoff. For each fetched batch: ingest (commit) its
 * messages, then advance the cursor past them, then set flags or move on the server — so a crash
 * anywhere repeats work, never loses it.
 */
export class MailboxPoller {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private wakeWaiter: (() => void) | null = null;
  private wakePending = false;
  /** Aborted by stop(): the one thing that may end a backoff early. */
  private readonly stopping = new AbortController();
  private readonly failures = new Map<number, number>();
  private readonly log: Logger;
  /** The login the next connection uses, when one was already fetched (a fresh token after a refusal). */
  private nextLogin: MailLogin | null = null;
  /** Whether the login being tried came from afterAuthFailure: a refusal of that one is not refreshed again. */
  private refreshedOnce = false;
  /** Failures in a row of the login source itself (provider or database down), for a growing backoff. */
  private sourceFailures = 0;
  /** When (performance.now()) the live OAuth2 session is to be renewed with a fresh token; null for passwords. */
  private sessionEndsAt: number | null = null;

  constructor(private readonly deps: MailboxPollerDeps, readonly mailbox: MailboxConfig) {
    this.log = deps.logger.child({ inboxId: mailbox.inboxId.toHexString(), folder: mailbox.folder });
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.wake();
    this.client?.close();
    await this.loop;
  }

  private wake(): void {
    if (this.wakeWaiter) this.wakeWaiter();
    else this.wakePending = true;
  }

  /** Resolves on wake() (new mail, the live session closing, stop) or after `ms`; a wake that came early is not lost. */
  private waitForWake(ms: number): Promise<void> {
    if (this.wakePending || this.stopped) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeWaiter === done) this.wakeWaiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeWaiter = done;
    });
  }

  /**
   * Waits until `retryAt` (a performance.now() time). Only stop() ends it early: events of the client
   * that failed (imapflow closes it on a failed connect, so its 'close' comes right after) must not.
   */
  private async backOff(retryAt: number): Promise<void> {
    const remainingMs = retryAt - performance.now();
    if (remainingMs > 0) await sleep(remainingMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** Detaches a client from the loop and closes it; from then on its events wake nothing. */
  private release(client: ImapFlow): void {
    if (this.client === client) this.client = null;
    client.removeAllListeners('exists');
    client.removeAllListeners('close');
    client.close();
  }

  private async setStatus(status: Partial<Omit<InboxStatusDoc, '_id'>>): Promise<void> {
    await this.deps.inboxes
      .reportStatus(this.mailbox.inboxId, { ...status, owner: this.deps.owner, updatedAt: this.deps.now() })
      .catch((err: Error) => this.log.warn({ err: err.message }, 'could not write inbox status'));
  }

  private async run(): Promise<void> {
    const { settings } = this.deps;
    let attempt = 0;
    while (!this.stopped) {
      const login = await this.loginNow();
      if (!login) continue;
      const client = new ImapFlow({
        host: this.mailbox.host,
        port: this.mailbox.port,
        secure: this.mailbox.secure,
        auth: login.auth,
        logger: false,
        disableAutoIdle: true,
        maxIdleTime: settings.maxIdleMs,
        connectionTimeout: settings.connectTimeoutMs,
        greetingTimeout: settings.connectTimeoutMs,
      });
      this.client = client;
      this.wakePending = false; // a wake meant for an earlier session
      const wakeIfLive = () => {
        if (this.client === client) this.wake();
      };
      client.on('error', (err: Error) => this.log.debug({ err: err.message }, 'imap connection error'));
      client.on('exists', wakeIfLive);
      client.on('close', wakeIfLive);
      try {
        await this.setStatus({ state: 'connecting' });
        await client.connect();
        const opened = await client.mailboxOpen(this.mailbox.folder);
        attempt = 0;
        this.refreshedOnce = false;
        this.sessionEndsAt = login.oauth2 ? performance.now() + oauthSessionMs(login.expiresAt, this.deps.now(), this.deps.settings.maxOAuthSessionMs) : null;
        await this.setStatus({ state: 'syncing', lastError: null, nextAttemptAt: null });
        let renew = false;
        while (!this.stopped && client.usable) {
          await this.sync(client, String(opened.uidValidity));
          if (this.stopped || !client.usable) break;
          if ((renew = this.sessionOver())) break;
          await this.waitForChange(client);
          if ((renew = this.sessionOver())) break;
        }
        if (renew && !this.stopped) {
          // Planned: the token is about to expire. Log out and in again with a fresh one, no backoff.
          await client.logout().catch(() => undefined);
          continue;
        }
        if (!this.stopped) throw Object.assign(new Error('connection closed by server'), { code: 'ECONNRESET' });
      } catch (err) {
        if (this.stopped) break;
        // Closed before backing off, so a failed session is not held open (a missing folder) and cannot wake the wait.
        this.release(client);
        if (isDatabaseError(err)) this.log.error({ err: (err as Error).message }, 'database unavailable during mailbox sync');
        const appErr: AppError = classifyImapError(err, this.mailbox);
        if (appErr.code === 'IMAP_AUTH_FAILED' && login.oauth2 && (await this.afterRefusal(err, 'accessToken' in login.auth ? login.auth.accessToken : undefined))) continue;
        attempt++;
        const configError = appErr.code === 'IMAP_AUTH_FAILED' || appErr.code === 'IMAP_FOLDER_MISSING';
        const delay = configError ? Math.max(settings.configErrorRetryMs, backoffDelayMs(attempt, settings.backoff)) : backoffDelayMs(attempt, settings.backoff);
        const retryAt = performance.now() + delay;
        const nextAttemptAt = new Date(this.deps.now().getTime() + delay);
        this.log.warn({ code: appErr.code, err: appErr.message, retryInMs: delay }, 'mailbox poller failed; will retry');
        await this.setStatus({ state: configError ? 'error' : 'backoff', lastError: { code: appErr.code, message: appErr.message, at: this.deps.now() }, nextAttemptAt });
        await this.backOff(retryAt);
      } finally {
        this.release(client);
      }
    }
    await this.setStatus({ state: 'stopped' });
  }

  /**
   * The login for the next connection: the mailbox's password, or a token from the login source. Null
   * after an inbox that needs reconnecting was waited on (the loop then asks again, or ends on stop).
   */
  private async loginNow(): Promise<{ auth: ImapAuth; oauth2: boolean; expiresAt: Date | null } | null> {
    const password = { auth: { user: this.mailbox.user, pass: this.mailbox.password }, oauth2: false, expiresAt: null };
    const source = this.deps.logins;
    if (!source) return password;
    let login = this.nextLogin;
    this.nextLogin = null;
    if (!login) {
      try {
        login = await source.loginFor(this.mailbox.inboxId, 'imap');
      } catch (err) {
        if (isReconnectNeeded(err)) await this.waitForReconnect(err as AppError);
        else await this.failedToGetLogin(err);
        return null;
      }
      this.refreshedOnce = false;
      this.sourceFailures = 0;
    }
    return login.kind === 'oauth2' ? { auth: imapAuthOf(login), oauth2: true, expiresAt: loginExpiry(login) } : password;
  }

  /**
   * The server refused a token: the source refreshes it (or finds the grant gone: then no login is
   * tried until the inbox is reconnected). The fresh token is tried at once, but only once: refused
   * too, the source hears of it (and may give up on the grant), and the next token waits like any
   * wrong login (configErrorRetryMs), so a grant that lacks the mail scope never loops. False when the
   * caller is to back off as usual.
   */
  private async afterRefusal(err: unknown, refusedToken: string | undefined): Promise<boolean> {
    try {
      this.nextLogin = await this.deps.logins!.afterAuthFailure(this.mailbox.inboxId, 'imap', refusalText(err), refusedToken);
    } catch (refused) {
      if (!isReconnectNeeded(refused)) return false;
      await this.waitForReconnect(refused as AppError);
      return true;
    }
    if (this.refreshedOnce) return false;
    this.refreshedOnce = true;
    return true;
  }

  /** The grant is gone (revoked, expired): no login is tried, the source asked now and then, until an admin reconnects the inbox. */
  private async waitForReconnect(err: AppError): Promise<void> {
    const waitMs = this.deps.settings.reconnectCheckMs ?? 60_000;
    this.log.warn({ code: err.code, err: err.message }, 'mailbox needs reconnecting; not logging in until it is');
    await this.setStatus({ state: 'error', lastError: { code: err.code, message: err.message, at: this.deps.now() }, nextAttemptAt: null });
    await this.backOff(performance.now() + waitMs);
  }

  /** The login source failed for another reason (its database, the provider down): back off, longer each time, and ask again. */
  private async failedToGetLogin(err: unknown): Promise<void> {
    const delay = backoffDelayMs(++this.sourceFailures, this.deps.settings.backoff);
    const appErr = err instanceof AppError ? err : new AppError('IMAP_ERROR', `Could not get a login for the mailbox: ${(err as Error).message}`, { cause: err });
    this.log.warn({ code: appErr.code, err: appErr.message, retryInMs: delay }, 'could not get a mailbox login; will retry');
    await this.setStatus({ state: 'backoff', lastError: { code: appErr.code, message: appErr.message, at: this.deps.now() }, nextAttemptAt: new Date(this.deps.now().getTime() + delay) });
    await this.backOff(performance.now() + delay);
  }

  private sessionOver(): boolean {
    return this.sessionEndsAt !== null && performance.now() >= this.sessionEndsAt;
  }

  private async waitForChange(client: ImapFlow): Promise<void> {
    if (client.capabilities.has('IDLE')) {
      await this.setStatus({ state: 'idle' });
      this.deps.onStep?.('idle');
      // idle() resolves when imapflow ends IDLE (maxIdleTime, or our next command); 'exists' wakes us sooner.
      const idling = client.idle().catch(() => undefined);
      await Promise.race([this.waitForWake(this.capToSession(this.deps.settings.maxIdleMs + 1000)), idling]);
      this.wakeWaiter?.(); // IDLE ended on its own: settle the wait so its timer cannot outlive it
    } else {
      await this.setStatus({ state: 'polling' });
      await this.waitForWake(this.capToSession(this.deps.settings.pollIntervalMs));
    }
  }

  /** A wait cut short at the end of the OAuth2 session, so the token is renewed before it expires. */
  private capToSession(ms: number): number {
    return this.sessionEndsAt === null ? ms : Math.max(0, Math.min(ms, this.sessionEndsAt - performance.now()));
  }

  private async sync(client: ImapFlow, uidValidity: string): Promise<void> {
    const { mailboxState, settings } = this.deps;
    const cursorId = `${this.mailbox.inboxId.toHexString()}:${this.mailbox.folder}`;
    const cursor = await mailboxState.findCursor(cursorId);
    let lastUid = cursor?.lastUid ?? 0;
    if (!cursor || cursor.uidValidity !== uidValidity) {
      // RFC 3501 §2.3.1.1: old UIDs mean nothing now. Re-read the folder; stored mail is recognised by its dedupe key.
      if (cursor) this.log.warn({ old: cursor.uidValidity, new: uidValidity }, 'UIDVALIDITY changed; re-syncing the folder');
      await mailboxState.resetCursor(cursorId, { inboxId: this.mailbox.inboxId, folder: this.mailbox.folder, uidValidity, updatedAt: this.deps.now() });
      lastUid = 0;
    }
    const criteria = { uid: `${lastUid + 1}:*`, ...(this.mailbox.importSince ? { since: this.mailbox.importSince } : {}) };
    const found = (await client.search(criteria, { uid: true })) || [];
    // RFC 3501 §6.4.8: "n:*" always includes the highest UID, even when it is below n.
    const uids = found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
    const total = uids.length;
    await this.setStatus({ state: 'syncing', behind: total, backlog: total > 0 ? { total, done: 0, since: this.mailbox.importSince } : null });
    let done = 0;
    const batches = chunksOf(uids, settings.fetchBatch);
    let next = batches[0] ? this.fetchSources(client, batches[0]) : null;
    for (let b = 0; next && !this.stopped; b++) {
      const fetched = await next;
      // The next batch is fetched while this one is ingested, so the IMAP server works while we parse and store.
      next = batches[b + 1] ? this.fetchSources(client, batches[b + 1]!) : null;
      next?.catch(() => undefined); // a failure surfaces when it is awaited; until then it must not count as unhandled
      this.deps.onStep?.('fetched');
      if (this.stopped) return;
      const { committed, failure } = await this.ingestFetched(fetched, uidValidity);
      if (committed.length > 0) {
        await mailboxState.advanceCursor(cursorId, uidValidity, committed.at(-1)!.uid, this.deps.now());
        this.deps.onStep?.('cursor-saved');
        for (const msg of committed) await this.serverActions(client, msg.uid);
        done += committed.length;
      }
      if (failure) throw failure.reason;
      await this.setStatus({ behind: total - done, backlog: { total, done, since: this.mailbox.importSince } });
    }
    await this.setStatus({ state: 'syncing', behind: total - done, lastSyncAt: this.deps.now() });
  }

  /** The raw sources of these UIDs, in UID order. */
  private async fetchSources(client: ImapFlow, uids: number[]): Promise<Array<{ uid: number; source: Buffer }>> {
    const fetched: Array<{ uid: number; source: Buffer }> = [];
    for await (const msg of client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) {
      if (msg.source) fetched.push({ uid: msg.uid, source: msg.source });
    }
    return fetched.sort((a, b) => a.uid - b.uid);
  }

  /**
   * Hands the fetched batch to ingest, then settles each mail's failure: a mail that keeps failing for
   * a reason other than the database is quarantined, so one bad message never blocks the mailbox.
   * The cursor may move past the mails before the first failure only; from there the mailbox is read again.
   */
  private async ingestFetched(fetched: Array<{ uid: number; source: Buffer }>, uidValidity: string): Promise<{ committed: typeof fetched; failure: { reason: unknown } | null }> {
    const inputs = fetched.map((msg) => ({ inboxId: this.mailbox.inboxId, raw: msg.source, source: { folder: this.mailbox.folder, uidValidity, uid: msg.uid } }));
    const outcomes = await this.deps.ingest(inputs).catch((reason: unknown) => inputs.map((): BatchOutcome => ({ status: 'rejected', reason })));
    let failure: { at: number; reason: unknown } | null = null;
    for (const [at, input] of inputs.entries()) {
      const outcome = outcomes[at] ?? { status: 'rejected', reason: new Error(`ingest returned no outcome for UID ${input.source.uid}`) };
      const failed = outcome.status === 'rejected' ? await this.setAside(input, outcome.reason) : null;
      if (outcome.status === 'fulfilled') this.failures.delete(input.source.uid);
      if (!failed) this.deps.onStep?.('ingested');
      else failure ??= { at, ...failed };
    }
    return { committed: failure ? fetched.slice(0, failure.at) : fetched, failure };
  }

  /** Counts a failed mail's attempts, and quarantines it at the limit; returns the failure unless it was set aside. */
  private async setAside(input: IngestInput & { source: { uid: number } }, reason: unknown): Promise<{ reason: unknown } | null> {
    const { uid } = input.source;
    if (isDatabaseError(reason)) return { reason };
    const attempts = (this.failures.get(uid) ?? 0) + 1;
    this.failures.set(uid, attempts);
    this.log.error({ uid, attempts, err: (reason as Error).message }, 'ingest failed');
    if (attempts < this.deps.settings.maxIngestAttempts) return { reason };
    try {
      await this.deps.quarantine({ inboxId: input.inboxId, raw: input.raw, reason: 'INGEST_FAILED', detail: (reason as Error).stack ?? String(reason), source: input.source });
    } catch (err) {
      return { reason: err };
    }
    this.failures.delete(uid);
    return null;
  }

  private async serverActions(client: ImapFlow, uid: number): Promise<void> {
    if (this.mailbox.markSeen) await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    if (this.mailbox.moveTo) await client.messageMove(String(uid), this.mailbox.moveTo, { uid: true });
  }
}
