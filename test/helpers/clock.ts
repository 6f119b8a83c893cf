/**
 * Time in tests. The suite must pass on any date, so:
 *
 * 1. A test that pins the app's clock pins it relative to the real clock (`clockNearRealTime()`),
 *    never to a calendar date, whenever anything it touches compares times with its own wall clock:
 *    the database's TTL indexes (web sessions), Dovecot, an SMTP server, Agenda's job runner, Chromium's
 *    cookie jar. A session created "on 2026-11-21" is already expired on a later run day and the
 *    database deletes it.
 * 2. Fixed calendar dates are fine only where nothing but our own code reads them: a pure function
 *    with an injected clock, or stored data read back through a use case that is given the same
 *    pinned clock (a digest over a fixed week, an SLA calendar with holidays).
 *
 * To check a change against the rule, run the suite on another day with Debian's faketime package:
 * `faketime -f '+240d' npm test`, or `faketime '2027-08-01 10:00' npm test` (the wrapper turns a date
 * into the same kind of offset). Not `-f '@…'`: that starts each process's clock at the date when the
 * process starts, so workers and the database would disagree. Every process must see the same fake
 * clock, so children started with an environment of their own get `fakeClockEnv()` (the workers, the
 * CLIs, Dovecot's processes), or they run on the real date.
 */

/** The real current time, rounded down to the minute so relative offsets read cleanly. */
export function clockNearRealTime(): Date {
  return new Date(Math.floor(Date.now() / 60_000) * 60_000);
}

/** `base` moved by a number of minutes (negative for the past). */
export function minutesFrom(base: Date, minutes: number): Date {
  return new Date(base.getTime() + minutes * 60_000);
}

/**
 * The libfaketime settings this process runs under (empty when it runs on the real clock), for a child
 * started with an environment of its own: without them a worker would run on the real date while the
 * test and the database run on the faked one, and see every job the test schedules as far in its future.
 * FAKETIME_SHARED goes along too: a process without it makes shared-memory files of its own in /dev/shm,
 * which one that is killed or drops root leaves behind.
 */
export function fakeClockEnv(): Record<string, string> {
  const preload = process.env.LD_PRELOAD;
  if (!preload?.includes('faketime')) return {};
  const out: Record<string, string> = { LD_PRELOAD: preload };
  for (const [name, value] of Object.entries(process.env)) {
    const libfaketimes = name.startsWith('FAKETIME') || name === 'NO_FAKE_STAT' || name === 'DONT_FAKE_MONOTONIC';
    if (libfaketimes && value !== undefined) out[name] = value;
  }
  return out;
}
