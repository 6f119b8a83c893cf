import type { Logger } from 'pino';
import type { InboxStore } from '../store/inbox-store.js';
import type { MailboxStateStore } from '../store/mailbox-state-store.js';
import type { InboxDoc } from '../store/models/inbox.js';
import type { SecretBox } from '../store/secret-box.js';
import type { WorkerStatus } from '../store/worker-heartbeats.js';
import { MailboxPoller, type MailboxPollerDeps } from './mailbox-poller.js';

export interface SupervisorDeps extends Omit<MailboxPollerDeps, 'owner' | 'inboxes' | 'mailboxState'> {
  inboxes: MailboxPollerDeps['inboxes'] & Pick<InboxStore, 'listAll'>;
  mailboxState: MailboxPollerDeps['mailboxState'] & Pick<MailboxStateStore, 'acquireLease' | 'releaseLeases'>;
  secrets: SecretBox;
  logger: Logger;
  owner: string;
  leaseMs: number;
  rescanMs: number;
}

interface Running {
  poller: MailboxPoller;
  updatedAt: number;
}

/**
 * Runs one MailboxPoller per inbox this process holds the lease for. A lease lives in MongoDB with an
 * expiry; renewing it proves this process is alive, and a dead process's mailboxes are taken over
 * once its leases expire. So across any number of processes, one poller works a mailbox at a time.
 */
export class PollerSupervisor {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: SupervisorDeps) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick()).catch((err: Error) => this.deps.logger.error({ err: err.message }, 'poller supervisor tick failed'));
    }, Math.min(this.deps.rescanMs, this.deps.leaseMs / 3));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.running.values()].map((r) => r.poller.stop()));
    await this.deps.mailboxState.releaseLeases(this.deps.owner);
    this.running.clear();
  }

  status(): WorkerStatus {
    return { state: this.stopped ? 'stopped' : 'running', detail: { mailboxes: [...this.running.keys()] } };
  }

  private async acquire(inboxId: string): Promise<boolean> {
    const now = new Date();
    return this.deps.mailboxState.acquireLease(inboxId, this.deps.owner, now, new Date(now.getTime() + this.deps.leaseMs));
  }

  private mailboxOf(inbox: InboxDoc) {
    const id = inbox._id.toHexString();
    return {
      inboxId: inbox._id,
      host: inbox.imap.host,
      port: inbox.imap.port,
      secure: inbox.imap.secure,
      user: inbox.imap.user ?? inbox.address,
      password: inbox.imap.passwordSealed ? this.deps.secrets.open(inbox.imap.passwordSealed, `inbox:${id}:imap`) : '',
      folder: inbox.imap.folder || 'INBOX',
      markSeen: inbox.options?.markSeen ?? false,
      moveTo: inbox.options?.moveTo ?? null,
      importSince: inbox.options?.importSince ?? null,
    };
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const inboxes = await this.deps.inboxes.listAll();
    const wanted = new Map(inboxes.map((i) => [i._id.toHexString(), i]));
    for (const [id, run] of this.running) {
      const inbox = wanted.get(id);
      const changed = inbox && inbox.updatedAt.getTime() !== run.updatedAt;
      if (!inbox || changed || !(await this.acquire(id))) {
        this.deps.logger.info({ inboxId: id, reason: !inbox ? 'removed' : changed ? 'settings changed' : 'lease lost' }, 'stopping mailbox poller');
        this.running.delete(id);
        await run.poller.stop();
      }
    }
    for (const [id, inbox] of wanted) {
      if (this.stopped || this.running.has(id) || !(await this.acquire(id))) continue;
      let mailbox;
      try {
        mailbox = this.mailboxOf(inbox);
      } catch (err) {
        this.deps.logger.error({ inboxId: id, err: (err as Error).message }, 'cannot open the stored IMAP password');
        await this.deps.inboxes.reportStatus(inbox._id, {
          state: 'error',
          lastError: { code: 'SECRET_INVALID', message: (err as Error).message, at: new Date() },
          updatedAt: new Date(),
        });
        continue;
      }
      const poller = new MailboxPoller(this.deps, mailbox);
      this.running.set(id, { poller, updatedAt: inbox.updatedAt.getTime() });
      this.deps.logger.info({ inboxId: id, address: inbox.address }, 'starting mailbox poller');
      poller.start();
    }
  }
}
