// local servers: the part of s3rver 3.x we use (the package ships no types)
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';
  import type { Server } from 'node:http';
  import type { S3Event } from 'aws-lambda';

  export interface S3rverBucket {
    readonly name: string;
    /** CORS or website configuration XML documents. */
    readonly configs?: readonly (string | Buffer)[];
  }

  export interface S3rverOptions {
    readonly address?: string;
    readonly port?: number;
    readonly silent?: boolean;
    readonly directory?: string;
    readonly resetOnClose?: boolean;
    readonly allowMismatchedSignatures?: boolean;
    readonly vhostBuckets?: boolean;
    readonly configureBuckets?: readonly S3rverBucket[];
  }

  /** Koa app serving the S3 REST API from a directory; emits `event` with an S3-notification-shaped payload. */
  export default class S3rver {
    constructor(options?: S3rverOptions);
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
    on(event: 'event', listener: (event: S3Event) => void): this;
    removeListener(event: 'event', listener: (event: S3Event) => void): this;
  }
}
