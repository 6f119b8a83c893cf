import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import type { ParsedMail } from '../domain/mail.js';
import type { CleanHtmlReply, CleanHtmlTask, ReadMailReply, ReadMailTask, WorkerTask } from './mail-worker-tasks.js';
import { READING_MODES, type ParseMailOptions } from './parse-mail.js';

/** Options for {@link createMailWorkerPool}. */
export interface MailWorkerPoolOptions {
  /** Worker threads; each runs one task at a time. */
  threads: number;
  /** How long one task may run; a worker past it is terminated and replaced. */
  budgetMs: number;
  logger: Logger;
}

/**
 * The costly work on customer mail, off the main thread and under a time budget per task, so that no
 * mail can stall the web server, the pollers or the jobs of the process.
 */
export interface MailWorkerPool {
  /**
   * Parses a raw mail like parseMail. A reading past the budget is retried with less work: without
   * HTML-to-text, then as headers and raw text; only a mail that none of them reads in time is refused
   * (MAIL_UNPARSEABLE), as is one the MIME parser rejects.
   */
  parse(raw: Buffer, opts: Pick<ParseMailOptions, 'maxBytes'>): Promise<ParsedMail>;
  /** Sanitizes a mail's HTML for storing (sanitizeEmailHtml); null when it is too complex to display safely. */
  sanitize(html: string): Promise<string | null>;
  /** Cleans HTML stored under older rules again (cleanStoredHtml); null when it is too complex to display safely. */
  cleanStored(html: string): Promise<string | null>;
  /** Stops the workers, abandoning any running task. */
  close(): Promise<void>;
}

type Outcome<T> = { done: true; value: T } | { done: false; why: string };

const WORKER_FILE = new URL('./mail-worker.mjs', import.meta.url).href;

/** Structured clone turns Buffers into Uint8Arrays; attachments are Buffers again on this side. */
function revive(mail: ParsedMail): ParsedMail {
  for (const a of mail.attachments) {
    const bytes = a.content as Uint8Array;
    a.content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return mail;
}

/**
 * Starts the mail worker pool (see {@link MailWorkerPool}). Its threads start right away and stay (a
 * thread takes about a second of CPU to load the mail code); one that is terminated is replaced at once.
 */
export function createMailWorkerPool(opts: MailWorkerPoolOptions): MailWorkerPool {
  const pool = new Piscina({ filename: WORKER_FILE, minThreads: opts.threads, maxThreads: opts.threads });

  /** Runs a task; its budget starts when a worker takes it up, so time spent queued or starting a thread is not counted. */
  async function run<T>(name: 'readMail' | 'cleanHtml', input: ReadMailTask | CleanHtmlTask): Promise<Outcome<T>> {
    const { port1, port2 } = new MessageChannel();
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => (timer = setTimeout(() => stop.abort(), opts.budgetMs)));
    try {
      const task: WorkerTask<ReadMailTask | CleanHtmlTask> = { input, started: port2 };
      return { done: true, value: (await pool.run(task, { name, signal: stop.signal, transferList: [port2] })) as T };
    } catch (err) {
      if (stop.signal.aborted) return { done: false, why: `over its time budget of ${opts.budgetMs} ms` };
      if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') return { done: false, why: 'out of memory' };
      throw err;
    } finally {
      clearTimeout(timer);
      port1.close();
    }
  }

  async function clean(html: string, stored: boolean): Promise<string | null> {
    const out = await run<CleanHtmlReply>('cleanHtml', { html, stored });
    if (out.done) return out.value.html;
    opts.logger.warn({ task: 'clean HTML', bytes: html.length, why: out.why }, 'mail HTML not cleaned; it is shown as text');
    return null;
  }

  return {
    async parse(raw, parseOpts) {
      if (raw.length > parseOpts.maxBytes) {
        throw new AppError('MAIL_TOO_LARGE', `message is ${raw.length} bytes, the limit is ${parseOpts.maxBytes}`, { details: { size: raw.length, maxBytes: parseOpts.maxBytes } });
      }
      // A view into a larger buffer would send all of that buffer to the worker.
      const whole = raw.byteLength === raw.buffer.byteLength ? raw : new Uint8Array(raw);
      const failed: string[] = [];
      for (const mode of READING_MODES) {
        const out = await run<ReadMailReply>('readMail', { raw: whole, maxBytes: parseOpts.maxBytes, mode });
        if (!out.done) {
          failed.push(`${mode}: ${out.why}`);
          opts.logger.warn({ task: 'read mail', mode, bytes: raw.length, why: out.why }, 'mail reading stopped; trying with less work');
          continue;
        }
        if (!out.value.ok) throw new AppError(out.value.error.code, out.value.error.message, { details: out.value.error.details });
        return revive(out.value.mail);
      }
      const reason = `no reading of the message finished (${failed.join('; ')})`;
      throw new AppError('MAIL_UNPARSEABLE', reason, { details: { reason } });
    },
    sanitize: (html) => clean(html, false),
    cleanStored: (html) => clean(html, true),
    close: () => pool.destroy(),
  };
}
