import { describe, expect, it } from 'vitest';
import { mailLoginSourceFor } from '../../../src/roles/oauth-deps.js';
import type { Runtime } from '../../../src/runtime.js';

/** Just what building a login source reads of a runtime (nothing is called until a login is asked for). */
const runtime = () => ({ stores: {}, secrets: {}, config: { notify: { from: 'help@example.test' } }, logger: {} }) as unknown as Runtime;

describe('mailLoginSourceFor', () => {
  it('gives every role of a process the same login source, so its refresh-once bookkeeping is shared', () => {
    const rt = runtime();
    const poller = mailLoginSourceFor(rt);
    expect(mailLoginSourceFor(rt)).toBe(poller);
    expect(mailLoginSourceFor(rt)).toBe(poller);
    // Another runtime (another process, or a test's own) has its own.
    expect(mailLoginSourceFor(runtime())).not.toBe(poller);
  });
});
