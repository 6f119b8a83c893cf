import type { Migration } from './migration.js';

/**
 * Users learn notification preferences: each user without them gets `notify: {}`, an explicit empty
 * set of choices, so every kind follows its default (on, except new tickets of teams of more than five
 * members) until they choose on their account page. Users who already have preferences keep them, so
 * a second run changes nothing.
 */
export const userNotificationPreferences: Migration = {
  version: 4,
  name: 'user-notification-preferences',
  async up({ db, logger }) {
    const result = await db.collection('users').updateMany({ $or: [{ notify: { $exists: false } }, { notify: null }] }, { $set: { notify: {} } });
    if (result.modifiedCount > 0) logger.info({ users: result.modifiedCount }, 'gave users the default notification preferences');
  },
};
