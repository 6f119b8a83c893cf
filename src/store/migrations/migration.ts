import type { Db } from 'mongodb';
import type { Logger } from 'pino';

/** What a migration works with: the raw database, so it keeps working after the models change. */
export interface MigrationContext {
  db: Db;
  logger: Logger;
}

/**
 * One step of the stored data's history, up only. `up` may run again when a process dies after it
 * finished but before it was recorded, so it must leave an upgraded database as it is.
 */
export interface Migration {
  /** 1, 2, 3, … in the order they apply; the file is `NNNN-name.ts`. */
  version: number;
  /** Kebab-case, as in the file name. */
  name: string;
  up(ctx: MigrationContext): Promise<void>;
}
