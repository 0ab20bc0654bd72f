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

/** Another stored object already carried this Message-ID (the same mail delivered twice by SES). */
export class DuplicateMessageIdError extends HelpdeskError {
  constructor(
    readonly messageId: string,
    options?: ErrorOptions,
  ) {
    super('DUPLICATE_MESSAGE_ID', `Message-ID already stored: ${messageId}`, options);
    this.name = 'DuplicateMessageIdError';
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
