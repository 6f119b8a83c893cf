import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MailAttachment, ParsedMail } from '../../src/domain/mail.js';

/** Absolute path of test/fixtures. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The `.eml` files under a fixtures folder, recursively, as paths relative to test/fixtures. */
export function emlFiles(dir: string): string[] {
  const walk = (abs: string): string[] =>
    readdirSync(abs)
      .sort()
      .flatMap((name) => {
        const path = join(abs, name);
        if (statSync(path).isDirectory()) return walk(path);
        return name.endsWith('.eml') ? [relative(FIXTURES, path)] : [];
      });
  return walk(join(FIXTURES, dir));
}

/** The bytes of a fixture file (path relative to test/fixtures). */
export function readFixture(path: string): Buffer {
  return readFileSync(join(FIXTURES, path));
}

/**
 * Splits an mbox into messages at its `From ` envelope lines (the ones followed by a header line,
 * so a `From ` at the start of a body line does not split). Each part keeps its envelope line.
 */
export function splitMbox(mbox: Buffer): Buffer[] {
  const text = mbox.toString('latin1');
  const starts = [...text.matchAll(/^From [^\n]*\n(?=[!-9;-~]+:)/gm)].map((m) => m.index ?? 0);
  return starts.map((start, i) => mbox.subarray(start, starts[i + 1] ?? mbox.length));
}

/** A ParsedMail for domain tests: an empty plain-text mail from a person, with the given changes. */
export function parsedMail(overrides: Partial<ParsedMail> = {}): ParsedMail {
  return {
    messageId: 'm1@example.com',
    inReplyTo: [],
    references: [],
    subject: 'Question about my order',
    from: { address: 'jane@example.com', name: 'Jane' },
    sender: null,
    replyTo: [],
    to: [{ address: 'support@helpdesk.example', name: null }],
    cc: [],
    date: new Date('2024-05-01T10:00:00Z'),
    returnPath: 'jane@example.com',
    contentType: 'text/plain',
    reportType: null,
    headers: {},
    text: 'Hello, where is my order?',
    html: null,
    attachments: [],
    ...overrides,
  };
}

/** An attachment part for domain tests. */
export function attachment(contentType: string, content: string, extra: Partial<MailAttachment> = {}): MailAttachment {
  const bytes = Buffer.from(content, 'utf8');
  return { filename: null, contentType, size: bytes.length, contentId: null, inline: false, content: bytes, ...extra };
}
