import { Long } from 'bson';
import type { CursorManager } from './cursors.js';
import { fail } from './errors.js';
import type { Collection, Database, Store } from './storage.js';
import { isNumeric, numberOf, type Doc } from './values.js';

/** What a command handler gets besides the command document. */
export interface CommandContext {
  store: Store;
  cursors: CursorManager;
  dbName: string;
  connectionId: number;
  /** `host:port` of the client. */
  client: string;
  /** `host:port` the server listens on. */
  self: string;
  startedAt: number;
  openConnections: () => number;
  /**
   * Set by a command whose work cannot run inside one synchronous write (compaction): the server
   * runs it once the command returns, holds every other command back until it settles, and replies
   * with its result instead.
   */
  exclusive?: (() => Promise<Doc>) | undefined;
}

/** A command implementation plus the fields it accepts (beyond the generic ones). */
export interface CommandSpec {
  /** Accepted fields; '*' for commands whose arguments evolve with drivers (the handshake). */
  fields: readonly string[] | '*';
  run(cmd: Doc, ctx: CommandContext): Doc;
  /** Runs without a database name in scope (e.g. admin commands). */
  admin?: boolean;
}

/** The command's primary argument as a collection name. */
export function collName(cmd: Doc, key: string): string {
  const v = cmd[key];
  if (typeof v !== 'string' || v.length === 0) throw fail.badValue(`collection name has invalid type ${typeof v}`);
  return v;
}

/** The database of the command. */
export function dbOf(ctx: CommandContext): Database {
  return ctx.store.db(ctx.dbName);
}

/** The collection if it exists; sweeps expired TTL documents first. */
export function existing(ctx: CommandContext, name: string): Collection | undefined {
  const c = dbOf(ctx).get(name);
  c?.sweepExpired();
  return c;
}

/** An optional non-negative integer option. */
export function optNumber(cmd: Doc, key: string): number | undefined {
  const v = cmd[key];
  if (v === undefined || v === null) return undefined;
  if (!isNumeric(v)) throw fail.typeMismatch(`BSON field '${key}' is the wrong type '${typeof v}', expected a number`);
  return Math.trunc(numberOf(v));
}

/** An optional boolean option (numbers are accepted as MongoDB does). */
export function optBool(cmd: Doc, key: string): boolean | undefined {
  const v = cmd[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (isNumeric(v)) return numberOf(v) !== 0;
  throw fail.typeMismatch(`BSON field '${key}' is the wrong type '${typeof v}', expected type 'bool'`);
}

/** An optional document option. */
export function optDoc(cmd: Doc, key: string): Doc | undefined {
  const v = cmd[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw fail.typeMismatch(`BSON field '${key}' is the wrong type, expected type 'object'`);
  return v as Doc;
}

/** A cursor id argument (Long, or a plain number from lenient clients). */
export function cursorId(v: unknown): Long {
  if (v instanceof Long) return v;
  if (isNumeric(v)) return Long.fromNumber(numberOf(v));
  throw fail.typeMismatch('cursor id must be a long');
}
