import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nobody listens on now (for a rendezvous of local ranks). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}
