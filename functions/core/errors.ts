// core: typed errors with stable codes; adapters translate SDK errors into these

/** Base class: every error the core raises on purpose. */
export class HelpdeskError extends Error {
  /** Stable, machine-readable code (logged and stored with failed ingests). */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HelpdeskError';
    this.code = code;
  }
}

/** The S3 object was already ingested: a redelivered event. Not a failure. */
export class DuplicateIngestError extends HelpdeskError {
  constructor(
    readonly ingestKey: string,
    options?: ErrorOptions,
  ) {
    super('DUPLICATE_INGEST', `already ingested: ${ingestKey}`, options);
    this.name = 'DuplicateIngestError';
  }
}

/** Another stored object already held the same email (SES stored one mail twice): same content, not just the same Message-ID. */
export class DuplicateContentError extends HelpdeskError {
  constructor(
    readonly fingerprint: string,
    options?: ErrorOptions,
  ) {
    super('DUPLICATE_CONTENT', `the same email was already stored (content ${fingerprint.slice(0, 12)}…)`, options);
    this.name = 'DuplicateContentError';
  }
}

/** A conditional write lost a race with another writer; retrying the whole event is safe. */
export class ConcurrentUpdateError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('CONCURRENT_UPDATE', message, options);
    this.name = 'ConcurrentUpdateError';
  }
}

/** Input from outside (an event, a request, a file) that cannot be used; retrying will not help. */
export class InvalidInputError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_INPUT', message, options);
    this.name = 'InvalidInputError';
  }
}

/** Something the caller asked for does not exist. */
export class NotFoundError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}
