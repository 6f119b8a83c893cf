import type { Types } from 'mongoose';
import type { NotificationPrefs } from '../domain/notifications.js';
import type { Models } from './models/index.js';
import type { UserDoc } from './models/user.js';

/** A user as written by {@link UserStore.create}: the rest takes the schema's defaults. */
export type NewUser = Pick<UserDoc, 'email' | 'role' | 'passwordHash'> & Partial<Pick<UserDoc, 'name' | 'inboxIds'>>;

/** What an admin may change on an account (`PATCH /users/:id`). */
export type UserAccountChanges = Partial<Pick<UserDoc, 'name' | 'role' | 'inboxIds' | 'disabled' | 'kbEditor'>>;

/** A user's stored fields except the password hash, which queries leave out unless they ask for it. */
export type StoredUser = Omit<UserDoc, 'passwordHash'>;

/** A user as the pages name them. */
export type UserLabelRecord = Pick<UserDoc, '_id' | 'name' | 'email'>;

/** A user as far as access checks care. */
export type UserAccessRecord = Pick<UserDoc, '_id' | 'role' | 'inboxIds'>;

/** A user as the ticket page needs them: a name, and whether they may be assigned the ticket. */
export type UserAssigneeRecord = Pick<UserDoc, '_id' | 'name' | 'email' | 'role' | 'inboxIds' | 'disabled' | 'away'>;

/** A user as the team load shows them: a name, and whether they are away or disabled. */
export type UserAvailabilityRecord = Pick<UserDoc, '_id' | 'name' | 'email' | 'disabled' | 'away' | 'awaySince'>;

/** The caller's own settings as {@link UserStore.setPreferences} answers them. */
export type UserPreferencesRecord = Pick<UserDoc, '_id' | 'locale' | 'timeZone' | 'away' | 'awaySince'>;

const PREFERENCES = { locale: 1, timeZone: 1, away: 1, awaySince: 1 } as const;

const ACTIVE_ADMIN = { role: 'admin', disabled: { $ne: true } } as const;

/** Active users who may see an inbox: its members and every admin. */
const mayBeAssigned = (inboxId: Types.ObjectId) => ({ disabled: false, $or: [{ role: 'admin' as const }, { inboxIds: inboxId }] });

/** The users: accounts, password hashes (selected only on request) and each manager's digest schedule. */
export function createUserStore(models: Pick<Models, 'User'>) {
  const { User } = models;
  return {
    /** One user by id (never the password hash); null when there is none. */
    findById(id: Types.ObjectId): Promise<StoredUser | null> {
      return User.findById(id).lean<StoredUser>().exec();
    },

    /** One user by id with their password hash, to check a password against it. */
    findByIdWithPasswordHash(id: Types.ObjectId): Promise<UserDoc | null> {
      return User.findById(id).select('+passwordHash').lean<UserDoc>().exec();
    },

    /** One user by (lowercased) email with their password hash, for signing in. */
    findByEmailWithPasswordHash(email: string): Promise<UserDoc | null> {
      return User.findOne({ email }).select('+passwordHash').lean<UserDoc>().exec();
    },

    /** One user by id, only when they are not disabled. */
    findActiveById(id: Types.ObjectId): Promise<StoredUser | null> {
      return User.findOne({ _id: id, disabled: false }).lean<StoredUser>().exec();
    },

    /** One user's name and email (e.g. the agent a reply or a canned reply is signed with). */
    findLabelById(id: Types.ObjectId): Promise<UserLabelRecord | null> {
      return User.findById(id, { name: 1, email: 1 }).lean<UserLabelRecord>().exec();
    },

    /** One user's role, inboxes and disabled flag; null for a null id (a malformed one) as for an unknown one. */
    findAccessById(id: Types.ObjectId | null): Promise<(UserAccessRecord & Pick<UserDoc, 'disabled'>) | null> {
      return User.findById(id)
        .select({ role: 1, inboxIds: 1, disabled: 1 })
        .lean<UserAccessRecord & Pick<UserDoc, 'disabled'>>()
        .exec();
    },

    /** Every user, by email. */
    listByEmail(): Promise<StoredUser[]> {
      return User.find().sort({ email: 1 }).lean<StoredUser[]>().exec();
    },

    /** Names and emails of the users with these ids (ObjectIds or hex strings); unknown ids are left out. */
    listLabelsByIds(ids: ReadonlyArray<Types.ObjectId | string>): Promise<UserLabelRecord[]> {
      return User.find({ _id: { $in: ids } }, { name: 1, email: 1 }).lean<UserLabelRecord[]>().exec();
    },

    /** Names and emails of the users with these ids that are not disabled. */
    listActiveLabelsByIds(ids: readonly Types.ObjectId[]): Promise<UserLabelRecord[]> {
      return User.find({ _id: { $in: ids }, disabled: false }).select({ name: 1, email: 1 }).lean<UserLabelRecord[]>().exec();
    },

    /** Names, disabled and away state of the users with these ids (the team load's rows); unknown ids are left out. */
    listAvailabilityByIds(ids: readonly Types.ObjectId[]): Promise<UserAvailabilityRecord[]> {
      return User.find({ _id: { $in: ids } }, { name: 1, email: 1, disabled: 1, away: 1, awaySince: 1 }).lean<UserAvailabilityRecord[]>().exec();
    },

    /** Roles and inboxes of the users with these ids. */
    listAccessByIds(ids: readonly Types.ObjectId[]): Promise<UserAccessRecord[]> {
      return User.find({ _id: { $in: ids } }, { role: 1, inboxIds: 1 }).lean<UserAccessRecord[]>().exec();
    },

    /** The active users a ticket of this inbox can be assigned to (its members and every admin), by name. */
    listAssignable(inboxId: Types.ObjectId): Promise<UserLabelRecord[]> {
      return User.find(mayBeAssigned(inboxId)).select({ name: 1, email: 1 }).sort({ name: 1, email: 1 }).lean<UserLabelRecord[]>().exec();
    },

    /** The active users a ticket of any of these inboxes can be assigned to (their members and every admin), by name. */
    listAssignableToAny(inboxIds: readonly Types.ObjectId[]): Promise<UserLabelRecord[]> {
      return User.find({ disabled: false, $or: [{ role: 'admin' as const }, { inboxIds: { $in: inboxIds } }] })
        .select({ name: 1, email: 1 })
        .sort({ name: 1, email: 1 })
        .lean<UserLabelRecord[]>()
        .exec();
    },

    /** In one query, the users named by id and those a ticket of this inbox can be assigned to, by name. */
    listNamedOrAssignable(named: readonly Types.ObjectId[], inboxId: Types.ObjectId): Promise<UserAssigneeRecord[]> {
      return User.find({ $or: [{ _id: { $in: named } }, mayBeAssigned(inboxId)] })
        .select({ name: 1, email: 1, role: 1, inboxIds: 1, disabled: 1, away: 1 })
        .sort({ name: 1, email: 1 })
        .lean<UserAssigneeRecord[]>()
        .exec();
    },

    /** The users of an escalation level (ids as hex strings) who are active and may still see the inbox. */
    listEscalationTargets(ids: readonly string[], inboxId: Types.ObjectId): Promise<StoredUser[]> {
      return User.find({ _id: { $in: ids }, ...mayBeAssigned(inboxId) }).lean<StoredUser[]>().exec();
    },

    /** Who an SLA reminder for a ticket goes to: its assignee if active, else the inbox's active members. */
    listReminderTargets(ticket: { assigneeId?: Types.ObjectId | null; inboxId: Types.ObjectId }): Promise<StoredUser[]> {
      const filter = ticket.assigneeId ? { _id: ticket.assigneeId, disabled: false } : { inboxIds: ticket.inboxId, disabled: false };
      return User.find(filter).lean<StoredUser[]>().exec();
    },

    /** The active (not disabled) users among these ids, as notifications need them: access, preferences, language. */
    listNotifyTargets(ids: readonly Types.ObjectId[]): Promise<StoredUser[]> {
      return User.find({ _id: { $in: [...ids] }, disabled: false }).lean<StoredUser[]>().exec();
    },

    /** How many users exist, from the collection's metadata (cheap, may lag a moment). */
    estimatedCount(): Promise<number> {
      return User.estimatedDocumentCount().exec();
    },

    /** The active admins (not disabled), by email: whom instance-wide alerts go to. */
    listActiveAdmins(): Promise<StoredUser[]> {
      return User.find(ACTIVE_ADMIN).sort({ email: 1 }).lean<StoredUser[]>().exec();
    },

    /** How many admins are not disabled. */
    countActiveAdmins(): Promise<number> {
      return User.countDocuments(ACTIVE_ADMIN).exec();
    },

    /** Adds a user; a taken email throws MongoDB's duplicate-key error (11000). */
    async create(user: NewUser): Promise<UserDoc> {
      const doc = await User.create(user);
      return doc.toObject();
    },

    /** Replaces a user's password hash. */
    async setPasswordHash(id: Types.ObjectId, passwordHash: string): Promise<void> {
      await User.updateOne({ _id: id }, { $set: { passwordHash } });
    },

    /** Notes a successful sign-in. */
    async recordLogin(id: Types.ObjectId, at: Date): Promise<void> {
      await User.updateOne({ _id: id }, { $set: { lastLoginAt: at } });
    },

    /** Sets a user's display name. */
    async setName(id: Types.ObjectId, name: string | null): Promise<void> {
      await User.updateOne({ _id: id }, { $set: { name } });
    },

    /**
     * Sets a user's own language and time zone (null: follow the browser / the instance default);
     * a field left out stays as it is. Returns them and the away state as stored after the change;
     * null when the user is gone.
     */
    setPreferences(id: Types.ObjectId, prefs: Partial<Record<'locale' | 'timeZone', string | null>>): Promise<UserPreferencesRecord | null> {
      if (Object.keys(prefs).length === 0) return User.findById(id, PREFERENCES).lean<UserPreferencesRecord>().exec();
      return User.findOneAndUpdate({ _id: id }, { $set: prefs }, { returnDocument: 'after', projection: PREFERENCES }).lean<UserPreferencesRecord>().exec();
    },

    /**
     * Sets a user's own notification mail choices, kind by kind: true or false is their choice, null
     * goes back to the kind's default (the field is removed); a kind left out stays as it is. Returns
     * the choices as stored after the change; null when the user is gone.
     */
    async setNotify(id: Types.ObjectId, changes: NotificationPrefs): Promise<NotificationPrefs | null> {
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => typeof v === 'boolean').map(([k, v]) => [`notify.${k}`, v]));
      const unset = Object.fromEntries(Object.entries(changes).filter(([, v]) => v === null).map(([k]) => [`notify.${k}`, '']));
      const update = { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) };
      const doc = Object.keys(update).length
        ? await User.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after', projection: { notify: 1 } }).lean<Pick<UserDoc, 'notify'>>().exec()
        : await User.findById(id, { notify: 1 }).lean<Pick<UserDoc, 'notify'>>().exec();
      return doc ? (doc.notify ?? {}) : null;
    },

    /**
     * Marks a user away (since `at`, unless already away: the first time stays) or back (no time).
     * One conditional update, so repeating it changes nothing.
     */
    async setAway(id: Types.ObjectId, away: boolean, at: Date): Promise<void> {
      if (away) await User.updateOne({ _id: id, away: { $ne: true } }, { $set: { away: true, awaySince: at } });
      else await User.updateOne({ _id: id }, { $set: { away: false, awaySince: null } });
    },

    /** Gives a user this time zone only when they have none yet (their browser's, at first sign-in); true when it did. */
    async setTimeZoneIfUnset(id: Types.ObjectId, timeZone: string): Promise<boolean> {
      const result = await User.updateOne({ _id: id, timeZone: null }, { $set: { timeZone } });
      return result.modifiedCount > 0;
    },

    /** Applies an admin's changes (with the schema's validators) and returns the user after them; null when gone. */
    updateAccount(id: Types.ObjectId, changes: UserAccountChanges): Promise<StoredUser | null> {
      return User.findOneAndUpdate({ _id: id }, { $set: changes }, { returnDocument: 'after', runValidators: true }).lean<StoredUser>().exec();
    },

    /** Puts fields of an account back as they were (undoing {@link updateAccount}). */
    async restoreAccount(id: Types.ObjectId, fields: UserAccountChanges): Promise<void> {
      await User.updateOne({ _id: id }, { $set: fields });
    },

    /** Saves a manager's digest schedule. */
    async setDigestSchedule(id: Types.ObjectId, schedule: Pick<UserDoc['digest'], 'enabled' | 'cron' | 'timeZone' | 'inboxIds'>): Promise<void> {
      await User.updateOne(
        { _id: id },
        { $set: { 'digest.enabled': schedule.enabled, 'digest.cron': schedule.cron, 'digest.timeZone': schedule.timeZone, 'digest.inboxIds': schedule.inboxIds } },
      );
    },

    /** Notes the end of the period the last digest covered. */
    async setDigestLastSentAt(id: Types.ObjectId, at: Date): Promise<void> {
      await User.updateOne({ _id: id }, { $set: { 'digest.lastSentAt': at } });
    },

    /**
     * Takes one of a user's send-now slots: forgets the times at or before `since`, then adds `now`
     * only while fewer than `limit` remain, in one conditional write, so the limit holds across processes.
     */
    async takeDigestSendNowSlot(id: Types.ObjectId, now: Date, since: Date, limit: number): Promise<boolean> {
      await User.updateOne({ _id: id }, { $pull: { 'digest.sentNowAt': { $lte: since } } });
      const taken = await User.updateOne({ _id: id, [`digest.sentNowAt.${limit - 1}`]: { $exists: false } }, { $push: { 'digest.sentNowAt': now } });
      return taken.matchedCount > 0;
    },

    /** When a user last asked for digests right now (empty when never or unknown). */
    async digestSendNowTimes(id: Types.ObjectId): Promise<Date[]> {
      const user = await User.findById(id, { 'digest.sentNowAt': 1 }).lean<Pick<UserDoc, '_id'> & { digest?: Pick<UserDoc['digest'], 'sentNowAt'> }>().exec();
      return user?.digest?.sentNowAt ?? [];
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type UserStore = ReturnType<typeof createUserStore>;
