import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import { createMailWorkerPool, type MailWorkerPool } from '../../../src/mail/mail-worker-pool.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { sanitizeEmailHtml } from '../../../src/mail/sanitize-html.js';
import { nestedHtmlMail } from '../../helpers/hostile-mail.js';
import { readFixture } from '../../helpers/mail-fixtures.js';
import { loopDelayDuring } from '../../helpers/event-loop.js';

const BUDGET_MS = 1500;
const MAX_BYTES = 30 * 1024 * 1024;

let pool: MailWorkerPool;
const warnings: Array<{ msg: string; mode?: string; why?: string }> = [];

/** HTML only, base64-encoded so nothing before the MIME parser sees its markup: HTML-to-text runs into the budget. */
function hiddenDeepHtmlMail(depth: number): Buffer {
  const qp = nestedHtmlMail(depth, { textPart: false, messageId: `hidden-${depth}@customer.example` }).toString('latin1');
  const split = qp.indexOf('\r\n\r\n');
  const html = qp.slice(split + 4).replace(/=\r\n/g, '').replace(/=3D/g, '=');
  const head = qp.slice(0, split).replace('Content-Transfer-Encoding: quoted-printable', 'Content-Transfer-Encoding: base64');
  return Buffer.from(`${head}\r\n\r\n${Buffer.from(html).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`, 'latin1');
}

beforeAll(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as (typeof warnings)[number]) });
  pool = createMailWorkerPool({ threads: 2, budgetMs: BUDGET_MS, logger });
  // The first task waits for a thread to start; the budget counts only from the task's own start anyway.
  await pool.parse(Buffer.from('From: a@example.test\r\nSubject: warm-up\r\n\r\nhello\r\n'), { maxBytes: MAX_BYTES });
});
afterAll(() => pool.close());

describe('the mail worker pool', () => {
  it('parses in a worker thread exactly as parseMail does here, attachments as Buffers', async () => {
    const raw = readFixture('mikel-mail/attachment_emails/attachment_pdf.eml');
    const mail = await pool.parse(raw, { maxBytes: MAX_BYTES });
    expect(mail).toEqual(await parseMail(raw, { maxBytes: MAX_BYTES }));
    expect(mail.attachments.length).toBeGreaterThan(0);
    for (const a of mail.attachments) expect(Buffer.isBuffer(a.content)).toBe(true);
  });

  it('refuses what parseMail refuses, with its error codes', async () => {
    const refusal = (raw: Buffer, maxBytes = MAX_BYTES) => pool.parse(raw, { maxBytes }).then(() => null, (err: unknown) => err);
    const notAMail = await refusal(Buffer.from('%PDF-1.4 this is no mail\n'));
    expect(isAppError(notAMail, 'MAIL_UNPARSEABLE')).toBe(true);
    expect(isAppError(await refusal(Buffer.alloc(4096, 'a'), 1024), 'MAIL_TOO_LARGE')).toBe(true);
  });

  it('stops a reading past its budget, replaces the worker and reads the mail with less work', async () => {
    warnings.length = 0;
    const started = Date.now();
    const { result: mail, maxDelayMs } = await loopDelayDuring(() => pool.parse(hiddenDeepHtmlMail(200_000), { maxBytes: MAX_BYTES }));
    expect(warnings).toEqual([expect.objectContaining({ mode: 'full', why: `over its time budget of ${BUDGET_MS} ms`, msg: 'mail reading stopped; trying with less work' })]);
    expect(mail.text).toBe('Please look at my order, it is stuck.');
    expect(mail.html).toContain('<div><div>');
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 15_000);
    expect(maxDelayMs).toBeLessThan(500);
    // A fresh worker took over.
    expect((await pool.parse(Buffer.from('From: b@example.test\r\nSubject: after\r\n\r\nstill here'), { maxBytes: MAX_BYTES })).subject).toBe('after');
  });

  it('skips HTML-to-text at once when the raw body shows markup nested too deeply', async () => {
    warnings.length = 0;
    const mail = await pool.parse(nestedHtmlMail(200_000, { textPart: false, messageId: 'visible@customer.example' }), { maxBytes: MAX_BYTES });
    expect(warnings).toEqual([]);
    expect(mail.text).toBe('Please look at my order, it is stuck.');
  });

  it('sanitizes HTML as sanitizeEmailHtml does, and declines HTML nested too deeply', async () => {
    const html = '<p onclick="x()">Hi <img src="https://t.example/p.gif"><script>x()</script></p>';
    expect(await pool.sanitize(html)).toBe(sanitizeEmailHtml(html).html);
    const deep = `${'<div>'.repeat(200_000)}x${'</div>'.repeat(200_000)}`;
    const { result, maxDelayMs } = await loopDelayDuring(() => pool.sanitize(deep));
    expect(result).toBeNull();
    expect(maxDelayMs).toBeLessThan(500);
    expect(await pool.cleanStored('<img data-remote-src="https://t.example/q.gif" onerror="x()">')).toBe('<img data-remote-src="https://t.example/q.gif" />');
  });
});
