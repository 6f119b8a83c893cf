import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';

/** The collection that holds the one lock document while a process upgrades the database. */
export const LOCK_COLLECTION = 'migration_lock';
const LOCK_ID = 'schema';

/** Who holds the lock and until when; a holder that stops renewing loses it at `expiresAt`. */
export interface LockDoc {
  _id: string;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export interface LockOptions {
  /** How long the lock lasts without renewal, i.e. how long a crashed holder blocks start-up. */
  ttlMs?: number;
  /** How often a waiting process tries again. */
  pollMs?: number;
  /** Names the holder in the lock document and the logs; unique per process by default. */
  owner?: string;
}

/** Handed to the work done under the lock. */
export interface HeldLock {
  owner: string;
  /** Extends the lock, or throws SCHEMA_UPGRADE_FAILED when it expired and another process took it. */
  confirm(): Promise<void>;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number } | null)?.code === 11000;

/**
 * Runs `work` while holding the database's schema lock, waiting as long as a live process holds it.
 * The lock is one document with a fixed `_id`: an upsert that matches it only once expired either
 * takes it over or, while it is held, fails on the unique `_id`. The holder renews it in the
 * background and deletes it when done.
 */
export async function withSchemaLock<T>(db: Db, logger: Logger, opts: LockOptions, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  const ttlMs = opts.ttlMs ?? 60_000;
  const pollMs = opts.pollMs ?? 500;
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const locks = db.collection<LockDoc>(LOCK_COLLECTION);

  let waitingFor: string | undefined;
  for (;;) {
    const now = new Date();
    try {
      await locks.findOneAndUpdate(
        { _id: LOCK_ID, expiresAt: { $lte: now } },
        { $set: { owner, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs) } },
        { upsert: true },
      );
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await locks.findOne({ _id: LOCK_ID });
    if (holder && holder.owner !== waitingFor) {
      waitingFor = holder.owner;
      logger.info({ holder: holder.owner, expiresAt: holder.expiresAt }, 'another process is upgrading the database; waiting for it');
    }
    await sleep(pollMs);
  }

  let lost: string | undefined;
  const confirm = async () => {
    if (lost === undefined) {
      const renewed = await locks.updateOne({ _id: LOCK_ID, owner }, { $set: { expiresAt: new Date(Date.now() + ttlMs) } });
      if (renewed.matchedCount === 1) return;
      lost = (await locks.findOne({ _id: LOCK_ID }))?.owner ?? 'nobody';
    }
    throw new AppError('SCHEMA_UPGRADE_FAILED', `Lost the migration lock (now held by ${lost}): this process stopped renewing it for over ${ttlMs} ms`);
  };
  // A renewal that fails on the network is tried again at the next tick; `confirm` catches a real loss.
  const renewal = setInterval(() => void confirm().catch(() => {}), Math.max(Math.floor(ttlMs / 3), 10));
  renewal.unref();
  try {
    return await work({ owner, confirm });
  } finally {
    clearInterval(renewal);
    await locks.deleteOne({ _id: LOCK_ID, owner }).catch((err: unknown) => {
      logger.warn({ err: (err as Error).message }, `could not release the migration lock; it expires within ${ttlMs} ms`);
    });
  }
}
