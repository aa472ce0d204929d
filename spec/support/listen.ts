import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { Express } from 'express';

/** Serves the app on a free loopback port, for clients that need a real URL. */
export async function listen(app: Express): Promise<{ base: string; port: number; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
