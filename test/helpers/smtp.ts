import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/** A real SMTP server on loopback that keeps what it receives; `reject` scripts failures for the next DATA commands. */
export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** Answers the next DATA commands with these SMTP replies, e.g. [451, 250]; an empty queue accepts. */
  script(codes: number[]): void;
  /** Waits this long before answering each DATA command, like a slow server; 0 answers at once. */
  answerAfter(ms: number): void;
  onMessage(fn: (mail: ReceivedMail) => void | Promise<void>): void;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const scripted: number[] = [];
  let answerDelayMs = 0;
  const listeners: Array<(mail: ReceivedMail) => void | Promise<void>> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => void (answerDelayMs > 0 ? setTimeout(answer, answerDelayMs) : answer()));
      const answer = () => {
        const code = scripted.shift() ?? 250;
        if (code >= 400) {
          const err = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code });
          callback(err);
          return;
        }
        const mail = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        };
        received.push(mail);
        void Promise.all(listeners.map((fn) => fn(mail))).finally(() => callback());
      };
    },
  });
  // A client killed mid-session (the crash tests) resets its connection: its failure, not the server's.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    script: (codes) => void scripted.push(...codes),
    answerAfter: (ms) => void (answerDelayMs = ms),
    onMessage: (fn) => void listeners.push(fn),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
