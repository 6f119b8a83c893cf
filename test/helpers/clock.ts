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
 * To check a change against the rule, run the suite on another day: `faketime '2027-08-01 10:00' npm test`
 * (Debian's faketime package).
 */

/** The real current time, rounded down to the minute so relative offsets read cleanly. */
export function clockNearRealTime(): Date {
  return new Date(Math.floor(Date.now() / 60_000) * 60_000);
}

/** `base` moved by a number of minutes (negative for the past). */
export function minutesFrom(base: Date, minutes: number): Date {
  return new Date(base.getTime() + minutes * 60_000);
}
