import type { Migration } from './migration.js';

/**
 * The documents and indexes of release 0.1.0, the first with migrations. Its indexes are declared on
 * the models and built by index sync, so a database written by it needs nothing; recording this
 * version marks where later migrations start.
 */
export const baseline: Migration = {
  version: 1,
  name: 'baseline',
  async up() {},
};
