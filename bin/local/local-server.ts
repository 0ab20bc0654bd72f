// local servers: the handle every launcher returns

/** A running local server; `stop()` resolves once it and everything it started are gone. */
export interface LocalServer {
  /** Base URL clients pass as `endpoint`, always on 127.0.0.1. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}
