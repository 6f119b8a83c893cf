import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { OAUTH_PROVIDERS, type OAuthProvider } from '../../domain/oauth.js';

/** Where an inbox's OAuth2 connection stands. */
export const OAUTH_GRANT_STATES = ['not-connected', 'connected', 'reconnect-needed'] as const;
export type OAuthGrantState = (typeof OAUTH_GRANT_STATES)[number];

/**
 * An inbox's OAuth2 login (one per inbox, shared by its IMAP and SMTP accounts): the app registration
 * an admin entered, the grant the provider gave, and a connect flow under way. Its presence makes the
 * inbox log in with OAuth2 instead of passwords. Every secret is sealed (secret-box) with a context
 * naming the inbox and the field; none is ever returned by a page or the API.
 */
export interface OAuthGrantDoc {
  _id: Types.ObjectId;
  inboxId: Types.ObjectId;
  provider: OAuthProvider;
  clientId: string;
  clientSecretSealed?: string | null;
  tenant?: string | null;
  issuer?: string | null;
  scopes: string[];
  state: OAuthGrantState;
  refreshTokenSealed?: string | null;
  accessTokenSealed?: string | null;
  accessExpiresAt?: Date | null;
  /** Bumped by every write of the tokens: a refresh saves only over the generation it started from. */
  version: number;
  /** A process refreshing now (its random id) until `until`; others wait for its result. */
  refreshLease?: { owner: string; until: Date } | null;
  /** Why it needs reconnecting: the provider's error code and words. */
  lastError?: { code: string; description: string | null; at: Date } | null;
  /** When admins were told it needs reconnecting (once per loss of the grant). */
  notifiedAt?: Date | null;
  connectedAt?: Date | null;
  connectedBy?: Types.ObjectId | null;
  /** A connect flow under way: SHA-256 of its state, the PKCE verifier (sealed), the admin's session (null: started by the operator's CLI). */
  flow?: { stateHash: string; verifierSealed: string; sessionId: string | null; userId: Types.ObjectId | null; expiresAt: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

const oauthGrantSchema = new Schema<OAuthGrantDoc>(
  {
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    provider: { type: String, enum: OAUTH_PROVIDERS, required: true },
    clientId: { type: String, required: true },
    clientSecretSealed: { type: String, default: null },
    tenant: { type: String, default: null },
    issuer: { type: String, default: null },
    scopes: { type: [String], default: [] },
    state: { type: String, enum: ['not-connected', 'connected', 'reconnect-needed'], default: 'not-connected' },
    refreshTokenSealed: { type: String, default: null },
    accessTokenSealed: { type: String, default: null },
    accessExpiresAt: { type: Date, default: null },
    version: { type: Number, default: 0 },
    refreshLease: { type: new Schema({ owner: String, until: Date }, { _id: false }), default: null },
    lastError: { type: new Schema({ code: String, description: { type: String, default: null }, at: Date }, { _id: false }), default: null },
    notifiedAt: { type: Date, default: null },
    connectedAt: { type: Date, default: null },
    connectedBy: { type: Schema.Types.ObjectId, default: null },
    flow: {
      type: new Schema({ stateHash: String, verifierSealed: String, sessionId: { type: String, default: null }, userId: { type: Schema.Types.ObjectId, default: null }, expiresAt: Date }, { _id: false }),
      default: null,
    },
  },
  { timestamps: true, collection: 'inbox_oauth_grants' },
);
oauthGrantSchema.index({ inboxId: 1 }, { unique: true });
oauthGrantSchema.index({ 'flow.stateHash': 1 }, { sparse: true });

export type OAuthGrantModel = Model<OAuthGrantDoc>;

export function oauthGrantModel(conn: Connection): OAuthGrantModel {
  return conn.model<OAuthGrantDoc>('OAuthGrant', oauthGrantSchema);
}
