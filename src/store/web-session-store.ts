import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { WebSessionDoc } from './models/web-session.js';

/** A session as written by {@link WebSessionStore.create}; nothing waits to be revealed yet. */
export type NewWebSession = Omit<WebSessionDoc, 'reveal'>;

/** A secret waiting on a session to be shown once, sealed. */
export type SessionReveal = NonNullable<WebSessionDoc['reveal']>;

/** The browser sessions, keyed by the SHA-256 of their cookie token, and the secrets they carry to their next page. */
export function createWebSessionStore(models: Pick<Models, 'WebSession'>) {
  const { WebSession } = models;
  return {
    /** Stores a new session. */
    async create(session: NewWebSession): Promise<void> {
      await WebSession.create(session);
    },

    /** One session by id (without its reveal); null when there is none. */
    findById(id: string): Promise<Omit<WebSessionDoc, 'reveal'> | null> {
      return WebSession.findById(id).lean<Omit<WebSessionDoc, 'reveal'>>().exec();
    },

    /** Marks a session as used now and moves its idle deadline. */
    async touch(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
      await WebSession.updateOne({ _id: id }, { $set: { lastSeenAt, expiresAt } });
    },

    /** Ends one session; an unknown id is ignored. */
    async deleteById(id: string): Promise<void> {
      await WebSession.deleteOne({ _id: id });
    },

    /** Ends every session of a user, or every one but `exceptId`; returns how many ended. */
    async deleteByUser(userId: Types.ObjectId, exceptId?: string): Promise<number> {
      const filter = exceptId ? { userId, _id: { $ne: exceptId } } : { userId };
      const { deletedCount } = await WebSession.deleteMany(filter);
      return deletedCount;
    },

    /** Leaves a sealed secret on a session for its next page, replacing any waiting one. */
    async stashReveal(id: string, reveal: SessionReveal): Promise<void> {
      await WebSession.updateOne({ _id: id }, { $set: { reveal } });
    },

    /** Takes the secret waiting on a session for this scope, clearing it in the same atomic write; null when none. */
    async takeReveal(id: string, scope: string): Promise<SessionReveal | null> {
      const taken = await WebSession.findOneAndUpdate({ _id: id, 'reveal.scope': scope }, { $set: { reveal: null } })
        .select('+reveal')
        .lean<Pick<WebSessionDoc, '_id' | 'reveal'>>()
        .exec();
      return taken?.reveal ?? null;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type WebSessionStore = ReturnType<typeof createWebSessionStore>;
