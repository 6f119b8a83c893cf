import type { Models } from './models/index.js';

/** Skeleton: the named queries and writes on this collection go here. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function createWebSessionStore(models: Pick<Models, 'WebSession'>) {
  return {};
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type WebSessionStore = ReturnType<typeof createWebSessionStore>;
