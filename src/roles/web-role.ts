import type { Server } from 'node:http';
import { createConnectionChecks } from '../mail/connection-check.js';
import { loadEmailRenderer, renderEmail, validateTemplateOverride } from '../mail/render-email.js';
import type { Runtime } from '../runtime.js';
import { checkHealth } from '../services/system/check-health.js';
import { pingDatabase } from '../store/database.js';
import { ensureFirstAdmin } from '../services/users/ensure-first-admin.js';
import { hashPassword, verifyPassword } from '../store/passwords.js';
import { createApp } from '../web/create-app.js';
import { localeDefaults, passwordLinkMailDeps, quarantineDeps, ticketActionDeps } from './deps.js';
import { mailLoginSourceFor } from './oauth-deps.js';
import type { RunningRole } from './role.js';

/** The web server: /healthz, the JSON API and the pages. */
export async function startWeb(rt: Runtime): Promise<RunningRole> {
  // The settings pages preview mail and the API sends digests; load the renderer before serving.
  loadEmailRenderer();
  // OAuth2 inboxes are tested with their access tokens (from the login source), password inboxes as before.
  const connectionChecks = createConnectionChecks({ timeoutMs: 10_000, logins: mailLoginSourceFor(rt) });
  const passwords = { hash: hashPassword, verify: verifyPassword };
  const quarantine = quarantineDeps(rt);
  await ensureFirstAdmin({ users: rt.stores.users, passwords, logger: rt.logger }, { admin: rt.config.admin, env: rt.config.env });
  const app = createApp({
    logger: rt.logger,
    publicUrl: rt.config.publicUrl,
    trustProxy: rt.config.trustProxy,
    health: () =>
      checkHealth({
        pingDatabase: () => pingDatabase(rt.connection),
        heartbeats: rt.stores.heartbeats,
        dbKind: rt.database.kind,
        staleAfterMs: rt.config.workers.staleAfterMs,
        now: () => new Date(),
      }),
    api: {
      stores: rt.stores,
      passwords,
      secrets: rt.secrets,
      blobs: rt.blobs,
      now: () => new Date(),
      automation: ticketActionDeps(rt),
      validateTemplate: validateTemplateOverride,
      connectionChecks,
      quarantine,
      invitations: passwordLinkMailDeps(rt),
    },
    pages: {
      stores: rt.stores,
      passwords,
      now: () => new Date(),
      publicUrl: rt.config.publicUrl,
      blobs: rt.blobs,
      actions: ticketActionDeps(rt),
      secrets: rt.secrets,
      settings: { connectionChecks, validateTemplate: validateTemplateOverride, render: renderEmail, scheduler: rt.scheduler, quarantine },
      mailWork: rt.mailWork,
      localeDefaults: localeDefaults(rt),
      invitations: passwordLinkMailDeps(rt),
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(rt.config.port, rt.config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : rt.config.port;
  rt.logger.info({ url: rt.config.publicUrl ?? `http://${rt.config.host}:${port}` }, 'web server listening');
  return {
    role: 'web',
    server,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

