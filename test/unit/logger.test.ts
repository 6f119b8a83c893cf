import { describe, expect, it } from 'vitest';
import { REDACTED_ADDRESS, createLogger, scrubAddresses } from '../../src/logger.js';

/* What reaches stdout: no customer address, subject or body; secrets redacted; lines stay JSON. */

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const out: string[] = [];
  const logger = createLogger('debug', 'threadline', { write: (s: string) => void out.push(s) });
  return { logger, lines: () => out.map((l) => l.trimEnd()) };
}

describe('logger', () => {
  it('replaces email addresses anywhere in a line: fields, nested values, keys, errors and the message', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('550 5.1.1 <Jane.Doe+tag@Example.COM>: Recipient address rejected'), { keyValue: { email: 'jane.doe@example.com' } });
    logger.warn(
      { err, outboxId: '65a0c0ffee', recipients: ['jane.doe@example.com', 'zoé@exemple.fr'], nested: { 'jane.doe@example.com': 1 } },
      'delivery to jane.doe@example.com failed for good',
    );
    const [line] = lines();
    expect(line).not.toMatch(/jane\.doe|zoé@/i);
    const parsed = JSON.parse(line ?? '');
    expect(parsed.outboxId).toBe('65a0c0ffee');
    expect(parsed.recipients).toEqual([REDACTED_ADDRESS, REDACTED_ADDRESS]);
    expect(parsed.nested).toEqual({ [REDACTED_ADDRESS]: 1 });
    expect(parsed.msg).toBe(`delivery to ${REDACTED_ADDRESS} failed for good`);
    expect(parsed.err.message).toBe(`550 5.1.1 <${REDACTED_ADDRESS}>: Recipient address rejected`);
    expect(parsed.err.keyValue).toEqual({ email: REDACTED_ADDRESS });
    expect(parsed.err.stack).not.toContain('@Example.COM');
  });

  it('redacts what customers wrote under the keys that hold it, at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ ticketId: 't1', subject: 'My divorce papers', body: 'secret words', message: { text: 'more words', html: '<p>x</p>', snippet: 'sn' } }, 'stored');
    const parsed = JSON.parse(lines()[0] ?? '');
    expect(parsed).toMatchObject({ ticketId: 't1', subject: '[redacted]', body: '[redacted]', message: { text: '[redacted]', html: '[redacted]', snippet: '[redacted]' } });
    expect(lines()[0]).not.toMatch(/divorce|secret words|more words/);
  });

  it('still redacts secrets, and keeps ids, the development admin login and lines that are valid JSON', () => {
    const { logger, lines } = capture();
    logger.warn({ email: 'admin@localhost', initialPassword: 'kept-on-purpose', password: 'p', auth: { token: 't' } }, 'created the first admin');
    logger.info({ tricky: 'a "quoted" word\\\nthen bob@mail.example.org\tend' }, 'escapes');
    const [first, second] = lines().map((l) => JSON.parse(l));
    expect(first).toMatchObject({ email: 'admin@localhost', initialPassword: 'kept-on-purpose', password: '[redacted]', auth: { token: '[redacted]' } });
    expect(second.tricky).toBe(`a "quoted" word\\\nthen ${REDACTED_ADDRESS}\tend`);
  });

  it('stays fast on hostile strings', () => {
    const hostile = `"${'a'.repeat(200_000)}@${'b.'.repeat(50_000)}1"`;
    const started = performance.now();
    const out = scrubAddresses(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(JSON.parse(out)).toMatch(/^a+@/);
  });
});
