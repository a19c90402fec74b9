import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens before the app exists, so that with port 0 the URL (and the OAuth callback built from it)
 * is known when the app is assembled; `serve` attaches the app.
 */
export function startWebServer(
  port: number,
  host: string,
): Promise<{ server: Server; url: string; serve(app: RequestListener): void }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        server,
        url: `http://${shownHost}:${address.port}`,
        serve: (app) => server.on('request', app),
      });
    });
  });
}

export function stopWebServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}
