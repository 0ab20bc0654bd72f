// test support: a loopback HTTP server that counts the requests it gets: the "remote" side of tracking pixels
import { createServer, type Server } from 'node:http';
import type { LocalServer } from '../../bin/local/local-server';
import { LOOPBACK, findFreePort } from '../../bin/local/ports';

/** A loopback HTTP server that counts every request it gets, by path: the "remote" side of tracking pixels. */
export interface RequestCounter extends LocalServer {
  readonly hits: string[];
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Starts a {@link RequestCounter} on a free loopback port that answers every request with a 1×1 GIF. */
export async function startRequestCounter(): Promise<RequestCounter> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(request.url ?? '/');
    response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
    response.end(GIF);
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  return {
    hits,
    port,
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
