// local servers: loopback port checks, so a busy port fails with one clear line instead of a stack trace
import { createServer } from 'node:net';

/** The only address the local servers bind to. */
export const LOOPBACK = '127.0.0.1';

/** Thrown when a port a local server needs is already taken. */
export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
  constructor(
    readonly port: number,
    hint: string,
  ) {
    super(`port ${port} is in use: stop the other program or ${hint}`);
    this.name = 'PortInUseError';
  }
}

/**
 * Throws {@link PortInUseError} unless `port` can be bound on loopback right now.
 *
 * @param hint what the user can change instead, e.g. `set SESDESK_SES_PORT`
 * @example await assertPortFree(8005, 'set SESDESK_SES_PORT');
 */
export async function assertPortFree(port: number, hint: string): Promise<void> {
  // Binding loopback also fails when another program holds the wildcard address on Linux,
  // so one probe covers both kinds of listener.
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortInUseError(port, hint) : error);
    });
    probe.listen({ port, host: LOOPBACK, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A loopback port that was free a moment ago (the OS picks it); for tests and throwaway servers. */
export async function findFreePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: LOOPBACK, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no free port'))));
    });
  });
}
