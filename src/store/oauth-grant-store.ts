import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { OAuthGrantDoc } from './models/oauth-grant.js';

/** The app registration an admin entered for an inbox (the client secret already sealed). */
export type OAuthGrantSettings = Pick<OAuthGrantDoc, 'provider' | 'clientId' | 'tenant' | 'issuer' | 'scopes'> & { clientSecretSealed?: string | null };

/** Freshly received tokens, sealed. `refreshTokenSealed` undefined: the provider kept the old one. */
export interface SealedTokens {
  accessTokenSealed: string;
  accessExpiresAt: Date;
  refreshTokenSealed?: string;
}

/**
 * Inboxes' OAuth2 logins (`inbox_oauth_grants`, one per inbox). Token writes are compare-and-set on
 * `version`: a refresh saves only over the generation it started from, so two processes refreshing
 * at once never overwrite the newer rotated refresh token with an older one.
 */
export function createOAuthGrantStore(models: Pick<Models, 'OAuthGrant'>) {
  const { OAuthGrant } = models;
  return {
    /** An inbox's OAuth2 login; null when the inbox logs in with passwords. */
    findByInbox(inboxId: Types.ObjectId): Promise<OAuthGrantDoc | null> {
      return OAuthGrant.findOne({ inboxId }).lean<OAuthGrantDoc>().exec();
    },

    /** The OAuth2 logins of these inboxes (settings lists). */
    listByInboxes(inboxIds: Types.ObjectId[]): Promise<OAuthGrantDoc[]> {
      return OAuthGrant.find({ inboxId: { $in: inboxIds } }).lean<OAuthGrantDoc[]>().exec();
    },

    /**
     * Saves the registration and a connect flow under way (replacing any earlier flow). The tokens of
     * an earlier connection stay until the flow finishes; a new client secret replaces the stored one,
     * none keeps it.
     */
    async startFlow(inboxId: Types.ObjectId, settings: OAuthGrantSettings, flow: NonNullable<OAuthGrantDoc['flow']>): Promise<OAuthGrantDoc> {
      const { clientSecretSealed, ...rest } = settings;
      const doc = await OAuthGrant.findOneAndUpdate(
        { inboxId },
        { $set: { ...rest, ...(clientSecretSealed !== undefined ? { clientSecretSealed } : {}), flow }, $setOnInsert: { inboxId, version: 0, state: 'not-connected' } },
        { upsert: true, returnDocument: 'after' },
      )
        .lean<OAuthGrantDoc>()
        .exec();
      return doc!;
    },

    /** Takes the flow with this state hash away (single use) and returns the login as it was; null when none has it. */
    consumeFlow(stateHash: string): Promise<OAuthGrantDoc | null> {
      return OAuthGrant.findOneAndUpdate({ 'flow.stateHash': stateHash }, { $set: { flow: null } }, { returnDocument: 'before' }).lean<OAuthGrantDoc>().exec();
    },

    /** Stores the tokens of a finished connect flow: connected, a new generation, any old error cleared. */
    async saveConnected(inboxId: Types.ObjectId, tokens: Required<SealedTokens>, at: Date, by: Types.ObjectId | null): Promise<OAuthGrantDoc | null> {
      return OAuthGrant.findOneAndUpdate(
        { inboxId },
        {
          $set: { ...tokens, state: 'connected', lastError: null, notifiedAt: null, refreshLease: null, connectedAt: at, connectedBy: by },
          $inc: { version: 1 },
        },
        { returnDocument: 'after' },
      )
        .lean<OAuthGrantDoc>()
        .exec();
    },

    /**
     * Claims the refresh of generation `version` for `owner` until `until`, unless another process
     * holds an unexpired claim or the generation moved on; returns the login claimed, or null.
     */
    takeRefreshLease(inboxId: Types.ObjectId, version: number, owner: string, now: Date, until: Date): Promise<OAuthGrantDoc | null> {
      return OAuthGrant.findOneAndUpdate(
        { inboxId, version, state: 'connected', $or: [{ refreshLease: null }, { 'refreshLease.until': { $lte: now } }] },
        { $set: { refreshLease: { owner, until } } },
        { returnDocument: 'after' },
      )
        .lean<OAuthGrantDoc>()
        .exec();
    },

    /** Saves refreshed tokens over generation `version` only; false when another write came first. */
    async saveRefreshed(inboxId: Types.ObjectId, version: number, tokens: SealedTokens): Promise<boolean> {
      const res = await OAuthGrant.updateOne({ inboxId, version, state: 'connected' }, { $set: { ...tokens, refreshLease: null }, $inc: { version: 1 } }).exec();
      return res.modifiedCount === 1;
    },

    /** Gives up a refresh claim (a failure that leaves the grant as it was). */
    async releaseRefreshLease(inboxId: Types.ObjectId, owner: string): Promise<void> {
      await OAuthGrant.updateOne({ inboxId, 'refreshLease.owner': owner }, { $set: { refreshLease: null } }).exec();
    },

    /**
     * Marks generation `version` "reconnect needed" with the provider's error, dropping the access
     * token; true only for the call that made the change (the one that tells the admins).
     */
    async markReconnectNeeded(inboxId: Types.ObjectId, version: number, error: { code: string; description: string | null; at: Date }): Promise<boolean> {
      const res = await OAuthGrant.updateOne(
        { inboxId, version, state: 'connected' },
        { $set: { state: 'reconnect-needed', lastError: error, accessTokenSealed: null, accessExpiresAt: null, refreshLease: null }, $inc: { version: 1 } },
      ).exec();
      return res.modifiedCount === 1;
    },

    /** Records that the admins were told (once per loss of the grant). */
    async setNotified(inboxId: Types.ObjectId, at: Date): Promise<void> {
      await OAuthGrant.updateOne({ inboxId, notifiedAt: null }, { $set: { notifiedAt: at } }).exec();
    },

    /** Removes an inbox's OAuth2 login (it goes back to passwords); returns what was removed. */
    removeByInbox(inboxId: Types.ObjectId): Promise<OAuthGrantDoc | null> {
      return OAuthGrant.findOneAndDelete({ inboxId }).lean<OAuthGrantDoc>().exec();
    },
  };
}

export type OAuthGrantStore = ReturnType<typeof createOAuthGrantStore>;
