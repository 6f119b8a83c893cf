import { createServer, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 that notes when each connection arrived and lets the test decide what happens to it. */
export interface CountingTcpServer {
  port: number;
  /** Date.now() of every accepted connection, in order. */
  acceptedAt: number[];
  /** Cuts every open connection, as a server restart or a firewall would. */
  dropAll(): void;
  stop(): Promise<void>;
}

/** Starts a server on a free loopback port; `onConnection` decides what each connection gets (drop, a greeting, silence). */
export async function startCountingTcpServer(onConnection: (socket: Socket) => void): Promise<CountingTcpServer> {
  const acceptedAt: number[] = [];
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    acceptedAt.push(Date.now());
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined); // a client that hangs up mid-write is what several of these tests are about
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('counting server has no port');
  return {
    port: address.port,
    acceptedAt,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
