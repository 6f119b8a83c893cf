import type { z } from 'zod';
import { OAUTH_PROVIDERS } from '../../domain/oauth.js';
import { connectOAuthSchema } from '../../services/oauth/get-oauth-status.js';
import type { OAuthGrantState } from '../../store/models/oauth-grant.js';
import { arrayOf, boolean, dateTime, enumOf, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** Where an inbox's OAuth2 sign-in stands (the grant's states). */
const GRANT_STATES = ['not-connected', 'connected', 'reconnect-needed'] as const satisfies readonly OAuthGrantState[];

/** The inbox OAuth2 routes' request bodies, generated from the schema the route parses with. */
export const OAUTH_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  OAuthConnectInput: connectOAuthSchema,
};

/** The inbox OAuth2 routes' answers: never a secret or a token. */
export const OAUTH_SCHEMAS: Record<string, JsonSchema> = {
  OAuthStatus: object({
    inboxId: objectId,
    state: { ...enumOf(GRANT_STATES), description: '"not-connected": the inbox logs in with passwords (every other field null).' },
    provider: nullable(enumOf(OAUTH_PROVIDERS)),
    clientId: nullable(string),
    hasClientSecret: { ...nullable(boolean), description: 'Whether a client secret is stored; the secret itself is never returned.' },
    tenant: nullable(string),
    issuer: nullable(string),
    scopes: nullable(arrayOf(string)),
    connectedAt: nullable(dateTime),
    lastError: { ...nullable(object({ code: string, description: nullable(string), at: dateTime })), description: "Why it needs reconnecting: the provider's error code and words." },
  }),
  OAuthConnectStarted: object({
    url: { ...string, description: "The provider's consent page, to open in a browser signed in to Threadline as an admin." },
    expiresAt: { ...dateTime, description: 'The flow must be finished before then.' },
  }),
};

/** `/inboxes/{id}/oauth`: an inbox's OAuth2 sign-in (Microsoft 365, Google, any OpenID provider). */
export function oauthOperations(): Record<string, Record<string, Operation>> {
  return {
    '/inboxes/{id}/oauth': {
      get: {
        id: 'getInboxOAuth', tag: 'Inboxes', summary: "The inbox's OAuth2 sign-in status (admins and managers of the inbox)",
        description: 'Never a secret or a token. Agents get 403.',
        ok: [200, ref('OAuthStatus')], errors: [403, 404],
      },
      delete: {
        id: 'disconnectInboxOAuth', tag: 'Inboxes', summary: 'Disconnect the inbox from its OAuth2 provider (admins)',
        description: 'The registration and the tokens are deleted; the inbox logs in with its passwords again. Revoking the access at the provider is done on its own page.',
        ok: [204], errors: [403, 404],
      },
    },
    '/inboxes/{id}/oauth/connect': {
      post: {
        id: 'connectInboxOAuth', tag: 'Inboxes', summary: 'Start connecting the inbox with OAuth2 (admins): answers the consent URL',
        description: 'Saves the app registration (the client secret sealed, write-only) and starts the authorization-code flow with PKCE. An admin opens `url` in a browser signed in to Threadline; the provider sends them back to `PUBLIC_URL/settings/inboxes/oauth/callback`, which finishes it. 400 for settings the provider cannot take (naming the field); 500 CONFIG_INVALID when PUBLIC_URL is not set; 502 OAUTH_FAILED when the provider\'s discovery fails.',
        body: 'OAuthConnectInput', ok: [200, ref('OAuthConnectStarted')], errors: [400, 403, 404],
      },
    },
  };
}
