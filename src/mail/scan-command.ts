import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ScanFile, ScanVerdict } from '../services/ports.js';

/** At most this much of the command's output is kept (its first line is all that is shown). */
const MAX_OUTPUT_BYTES = 4096;

/**
 * Splits a command line into words at spaces; single or double quotes group words, a backslash
 * escapes the next character. No shell is involved: no variables, globs or pipes.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The first non-empty line of what the command printed, trimmed and cut to a readable length. */
function firstLine(output: string): string {
  return (output.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '').slice(0, 300);
}

/**
 * The upload scan hook (ATTACHMENT_SCAN_COMMAND): runs the command once per file with the file on
 * its standard input, e.g. `clamdscan --no-summary --fdpass -`. Exit status 0 means clean, 1 means
 * refused (its first output line, stdout then stderr, is the reason); any other status, a command
 * that cannot start, or one still running after `timeoutMs` (then killed) means the file could not
 * be scanned, which refuses it too: the hook fails closed. Output beyond 4 KB is not kept.
 */
export function createScanCommand(command: string, opts: { timeoutMs: number }): ScanFile {
  const [program, ...args] = splitCommandLine(command);
  return (file: Readable) =>
    new Promise<ScanVerdict>((resolve) => {
      if (!program) {
        file.destroy();
        resolve({ clean: false, reason: 'unscannable', detail: 'no scan command' });
        return;
      }
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      const done = (verdict: ScanVerdict) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        file.destroy();
        resolve(verdict);
      };
      const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
      const keep = (into: 'out' | 'err') => (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (into === 'out' && stdout.length < MAX_OUTPUT_BYTES) stdout = (stdout + text).slice(0, MAX_OUTPUT_BYTES);
        if (into === 'err' && stderr.length < MAX_OUTPUT_BYTES) stderr = (stderr + text).slice(0, MAX_OUTPUT_BYTES);
      };
      child.stdout.on('data', keep('out'));
      child.stderr.on('data', keep('err'));
      child.on('error', (err) => done({ clean: false, reason: 'unscannable', detail: err.message }));
      // A scanner may stop reading once it has decided (EPIPE): its exit status still counts.
      pipeline(file, child.stdin).catch(() => {});
      child.on('close', (code, signal) => {
        if (timedOut) return done({ clean: false, reason: 'unscannable', detail: `no answer within ${Math.round(opts.timeoutMs / 1000)} s` });
        if (code === 0) return done({ clean: true });
        const said = firstLine(stdout) || firstLine(stderr);
        if (code === 1) return done({ clean: false, reason: 'refused', detail: said || 'refused by the scan' });
        done({ clean: false, reason: 'unscannable', detail: said || (signal ? `ended by ${signal}` : `exit status ${code}`) });
      });
    });
}
