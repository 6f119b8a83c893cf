import type { MessagePort } from 'node:worker_threads';
import type { ErrorCode } from '../domain/errors.js';
import { isAppError } from '../domain/errors.js';
import { MAX_HTML_NESTING, htmlNestingDepth } from '../domain/html-scan.js';
import type { ParsedMail } from '../domain/mail.js';
import { parseMail, type ReadingMode } from './parse-mail.js';
import { cleanStoredHtml, sanitizeEmailHtml } from './sanitize-html.js';

// The work the mail worker pool runs off the main thread (see mail-worker-pool.ts). Arguments and
// results cross a thread boundary by structured clone: plain data only, Buffers arrive as Uint8Arrays.

/** A raw mail to read, and how much work to spend on it. */
export interface ReadMailTask {
  raw: Uint8Array;
  maxBytes: number;
  mode: ReadingMode;
}

/** The parsed mail, or the expected error that refused it. */
export type ReadMailReply =
  | { ok: true; mail: ParsedMail }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> | undefined } };

/** HTML to clean: straight from a mail (`stored: false`) or as stored by an earlier ingest. */
export interface CleanHtmlTask {
  html: string;
  stored: boolean;
}

/** The cleaned HTML, or null when it nests too deeply to be cleaned and shown. */
export interface CleanHtmlReply {
  html: string | null;
}

/** A task as handed to a worker: its input, and the port the worker reports its start on (the budget starts then). */
export interface WorkerTask<T> {
  input: T;
  started: MessagePort;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Whether the body of a raw mail holds markup too deep for HTML-to-text (seen before any decoding). */
function deepMarkup(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  const bodyAt = text.search(/\r?\n\r?\n/);
  return htmlNestingDepth(bodyAt < 0 ? '' : text.slice(bodyAt), MAX_HTML_NESTING) > MAX_HTML_NESTING;
}

/**
 * Parses a raw mail (see parseMail). A full reading whose raw body already shows markup nested too
 * deeply skips HTML-to-text right away instead of spending its time budget on it.
 */
export async function readMail(task: ReadMailTask): Promise<ReadMailReply> {
  const raw = asBuffer(task.raw);
  const mode = task.mode === 'full' && deepMarkup(raw) ? 'without-html-text' : task.mode;
  try {
    return { ok: true, mail: await parseMail(raw, { maxBytes: task.maxBytes, mode }) };
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { ok: false, error: { code: err.code, message: err.message, details: err.details } };
  }
}

/** Sanitizes customer HTML (sanitizeEmailHtml, or cleanStoredHtml for stored HTML) unless it nests too deeply. */
export function cleanHtml(task: CleanHtmlTask): CleanHtmlReply {
  if (htmlNestingDepth(task.html, MAX_HTML_NESTING) > MAX_HTML_NESTING) return { html: null };
  return { html: task.stored ? cleanStoredHtml(task.html) : sanitizeEmailHtml(task.html).html };
}
