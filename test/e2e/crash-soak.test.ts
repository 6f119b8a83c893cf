import { describe, expect, inject, it } from 'vitest';
import { runCrashSoak } from '../support/crash-soak.js';

// The small version of `npm run soak:crash`: the same code with 40 mails and 4 kills. SOAK_SEED replays a run.
const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('npm start killed with SIGKILL at random moments while mail arrives', () => {
  it('stores every mail once, threaded, keeps users, inbox and cursor, and acknowledges every new ticket once', async () => {
    const report = await runCrashSoak({
      seed,
      mails: 40,
      kills: 4,
      // The app's own durable store, killed with it.
      db: 'embedded',
      mongoUri: inject('mongoUri'),
      startupKillShare: 0.25,
      servingLifeMs: [0, 3000],
      settleTimeoutMs: 30_000,
    });
    expect(report.failures, report.summary).toEqual([]);
    expect(report.kills).toBeGreaterThanOrEqual(4);
  }, 150_000);
});
