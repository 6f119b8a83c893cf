import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import { processIsAlive } from '../../devdb/process-alive.js';
import { isDuplicateKey } from '../duplicate-key.js';

/** The collection that holds the one lock document while a process upgrades the database. */
export const LOCK_COLLECTION = 'migration_lock';
const LOCK_ID = 'schema';

/** Who holds the lock and until when; a holder that stops renewing loses it at `expiresAt`. */
export interface LockDoc {
  _id: string;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
  /** The holder's pid, and where that pid means something (see {@link pidScope}); absent in older locks. */
  pid?: number;
  pidScope?: string | null;
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


/*
 * Where a pid names one process: the host, its kernel boot and its pid namespace (containers on one
 * host share the boot but not the namespace). Undefined where these cannot be read (not Linux): such
 * a lock is only ever taken over once it expires.
 */
function readPidScope(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = readlinkSync('/proc/self/ns/pid');
    return `${hostname()}/${boot}/${namespace}`;
  } catch {
    return undefined;
  }
}

let cachedScope: string | undefined | null = null;
/** This process's pid scope, read once. */
export function pidScope(): string | undefined {
  if (cachedScope === null) cachedScope = readPidScope();
  return cachedScope;
}


/** A holder that provably died: its pid lives where ours does and no such process exists any more. */
function holderIsDead(holder: LockDoc): boolean {
  const scope = pidScope();
  return scope !== undefined && holder.pidScope === scope && typeof holder.pid === 'number' && holder.pid !== process.pid && !processIsAlive(holder.pid);
}

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

  const claim = (now: Date) => ({ $set: { owner, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs), pid: process.pid, pidScope: pidScope() ?? null } });
  let waitingFor: string | undefined;
  for (;;) {
    try {
      await locks.findOneAndUpdate({ _id: LOCK_ID, expiresAt: { $lte: new Date() } }, claim(new Date()), { upsert: true });
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await locks.findOne({ _id: LOCK_ID });
    // A process killed while holding the lock (SIGKILL, OOM, power cut of a container) would otherwise
    // block every start on this machine until the lock expires.
    if (holder && holderIsDead(holder)) {
      const taken = await locks.updateOne({ _id: LOCK_ID, owner: holder.owner }, claim(new Date()));
      if (taken.matchedCount === 1) {
        logger.info({ holder: holder.owner, pid: holder.pid }, 'took over the migration lock of a process that no longer runs');
        break;
      }
      continue;
    }
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
