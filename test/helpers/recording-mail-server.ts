import { createServer, type Socket } from 'node:net';

/** A fake mail server on 127.0.0.1 that answers just enough of IMAP or SMTP to be sent a login, and keeps every line it got. */
export interface RecordingMailServer {
  port: number;
  /** Everything received, followed by the base64 tokens decoded (AUTH PLAIN / AUTH LOGIN carry the password that way). */
  heard(): string;
  /** How many connections were made. */
  connections(): number;
  close(): Promise<void>;
}

function decodedTokens(text: string): string {
  return (text.match(/[A-Za-z0-9+/]{4,}={0,2}/g) ?? []).map((t) => Buffer.from(t, 'base64').toString('latin1')).join('\n');
}

async function listen(onLine: (socket: Socket, line: string) => void, greeting: string): Promise<RecordingMailServer> {
  let received = '';
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, end).replace(/\r$/, '');
        buffered = buffered.slice(end + 1);
        onLine(socket, line);
      }
    });
    socket.write(greeting);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('recording server has no port');
  return {
    port: address.port,
    heard: () => `${received}\n${decodedTokens(received)}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A fake IMAP server: sends `greeting` (a hostile one if the test wants), offers only LOGIN (so the password
 * arrives in the clear), and refuses every login with `loginReply`.
 */
export function startRecordingImap(opts: { greeting?: string; loginReply?: string } = {}): Promise<RecordingMailServer> {
  const loginReply = opts.loginReply ?? 'NO [AUTHENTICATIONFAILED] Invalid credentials';
  return listen((socket, line) => {
    const [tag, command = ''] = line.split(' ');
    if (/^CAPABILITY$/i.test(command)) socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK CAPABILITY completed\r\n`);
    else if (/^(LOGIN|AUTHENTICATE)$/i.test(command)) socket.write(`${tag} ${loginReply}\r\n`);
    else if (/^LOGOUT$/i.test(command)) socket.end(`* BYE\r\n${tag} OK LOGOUT completed\r\n`);
    else if (tag) socket.write(`${tag} BAD unknown command\r\n`);
  }, opts.greeting ?? '* OK IMAP4rev1 ready\r\n');
}

/** A fake SMTP server: sends `greeting`, offers AUTH PLAIN (the password arrives in one base64 line), and refuses every login with 535. */
export function startRecordingSmtp(opts: { greeting?: string } = {}): Promise<RecordingMailServer> {
  return listen((socket, line) => {
    if (/^(EHLO|HELO)\b/i.test(line)) socket.write('250-fake.test\r\n250 AUTH PLAIN\r\n');
    else if (/^AUTH PLAIN$/i.test(line)) socket.write('334 \r\n');
    else if (/^QUIT$/i.test(line)) socket.end('221 Bye\r\n');
    else if (/^AUTH PLAIN \S+$/i.test(line) || /^[A-Za-z0-9+/=]+$/.test(line)) socket.write('535 5.7.8 Authentication failed\r\n');
    else socket.write('502 5.5.2 Command not recognised\r\n');
  }, opts.greeting ?? '220 fake.test ESMTP ready\r\n');
}
