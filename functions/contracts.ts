// contracts: what the Lambda functions, the CDK app and the local stack must agree on. Imports nothing, so
// `lib/`, `functions/` and `bin/local/` can all share it; renaming anything here renames it everywhere.

/** The functions the stack deploys, named after their folders under `functions/`. */
export type FunctionName = 'ingest' | 'notify' | 'api' | 'bounces';

/** Environment variables the stack sets and the functions read. */
export const ENV = {
  /** The single DynamoDB table. */
  tableName: 'TABLE_NAME',
  /** The bucket SES stores raw mail in; attachments, large bodies and uploads live there too. */
  mailBucket: 'MAIL_BUCKET',
  /** The validated desk configuration, as JSON. */
  deskConfig: 'DESK_CONFIG',
  /** Secrets Manager ARN of the reply-token HMAC key (one key, or a JSON array of keys while rotating). */
  tokenSecretArn: 'TOKEN_SECRET_ARN',
  /** The SES configuration set that publishes bounces and complaints to the bounces function. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Must be `cognito` in AWS: the API then trusts only API Gateway's verified claims. */
  authMode: 'AUTH_MODE',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/**
 * Exactly the variables each function reads. The stack sets these and no others (synthesis fails otherwise),
 * and a function refuses to start with one missing, naming it.
 */
export const FUNCTION_ENV = {
  // The raw mail's bucket comes with each S3 event, so ingest needs no MAIL_BUCKET.
  ingest: [ENV.tableName, ENV.deskConfig, ENV.tokenSecretArn],
  notify: [ENV.tableName, ENV.mailBucket, ENV.deskConfig, ENV.tokenSecretArn, ENV.sesConfigurationSet],
  api: [ENV.tableName, ENV.mailBucket, ENV.deskConfig, ENV.tokenSecretArn, ENV.authMode],
  bounces: [ENV.tableName],
} as const satisfies Record<FunctionName, readonly EnvName[]>;

/** The item-level DynamoDB actions a function may be granted (IAM names without the `dynamodb:` prefix). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'ConditionCheckItem';

/**
 * What each function does with the table: the actions it sends (a transaction needs the action of each item it
 * holds) and the indexes it queries. The stack grants exactly this (`TicketStore.connect`), and a test records
 * the requests each function really sends and compares. Nobody deletes items or scans. `termBatches`: the function
 * writes search-term entries (whose key says everything) with BatchWriteItem, granted only on `TERM#` keys.
 */
export const TABLE_ACCESS = {
  ingest: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'], indexes: [], termBatches: true },
  notify: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'], indexes: [], termBatches: false },
  api: {
    actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
    indexes: ['byStatus', 'byAssignee', 'byRequester', 'byCreated'],
    termBatches: true,
  },
  // PutItem: the failed-delivery term of a ticket a late bounce or complaint marks, in the same transaction.
  bounces: { actions: ['GetItem', 'PutItem', 'UpdateItem'], indexes: [], termBatches: false },
} as const satisfies Record<FunctionName, TableAccess>;

/** What one function may do with the table (see {@link TABLE_ACCESS}). */
export interface TableAccess {
  readonly actions: readonly TableAction[];
  readonly indexes: readonly IndexName[];
  readonly termBatches: boolean;
}

/** The key prefix of search-term entries: the only items written in batches (`dynamodb:LeadingKeys` limits the grant). */
export const TERM_KEY_PREFIX = 'TERM#';

/**
 * Events a function logs with the field {@link METRIC_LOG_FIELD} set to one of these names. The stack counts
 * each as a CloudWatch metric of the same name (a log metric filter) and alarms on it. The line is logged only
 * when the event happens, so the metric has no data points, and costs nothing, while all is well.
 */
export const LOGGED_METRICS = {
  /** notify: a delivery ended `failed` for good (SES rejected it, or its last attempt failed). */
  deliveryFailed: 'DeliveryFailed',
  /** ingest: a stored email was recorded `failed` (not found, or unreadable). */
  ingestFailed: 'IngestFailed',
} as const;

/** The structured-log field that names a {@link LOGGED_METRICS} event. */
export const METRIC_LOG_FIELD = 'metric';

/** Variables Lambda itself sets in every execution environment; a stack may not set them. */
export const LAMBDA_RUNTIME_ENV = {
  region: 'AWS_REGION',
  /** The function's session token: the Parameters and Secrets Extension answers only callers that present it. */
  sessionToken: 'AWS_SESSION_TOKEN',
} as const;

/**
 * The AWS Parameters and Secrets Lambda Extension (a layer the stack adds to every function whose contract
 * reads {@link ENV.tokenSecretArn}): a local HTTP endpoint that reads and caches Secrets Manager secrets, so the
 * functions bundle no Secrets Manager client.
 */
export const SECRETS_EXTENSION = {
  /** Set by the layer's CDK binding; the extension listens on 2773 when it is absent. */
  portEnv: 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  defaultPort: 2773,
  /** GET with `?secretId=<arn>`; answers GetSecretValue's JSON. */
  secretPath: '/secretsmanager/get',
  /** Carries the caller's {@link LAMBDA_RUNTIME_ENV.sessionToken}. */
  tokenHeader: 'X-Aws-Parameters-Secrets-Token',
} as const;

/** The values of a function's variables, by name. */
export type FunctionEnv<F extends FunctionName> = Record<(typeof FUNCTION_ENV)[F][number], string>;

/**
 * Reads a function's variables from its environment.
 * @throws Error naming every variable that is missing or empty.
 * @example const env = readFunctionEnv('ingest', process.env); env.TABLE_NAME
 */
export function readFunctionEnv<F extends FunctionName>(fn: F, env: Readonly<Record<string, string | undefined>>): FunctionEnv<F> {
  const names: readonly EnvName[] = FUNCTION_ENV[fn];
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`The ${fn} function is missing environment variable(s) ${missing.join(', ')}; the deployment must set them.`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name]!])) as FunctionEnv<F>;
}

/** Key prefixes in the mail bucket. Only `inbound/` triggers the ingest function; IAM grants are per prefix. */
export const MAIL_PREFIXES = {
  /** Raw MIME as SES stored it, keyed by the SES message id. */
  inbound: 'inbound/',
  /** Attachments the ingest function extracted. */
  attachments: 'attachments/',
  /** Message bodies too large for a table item. */
  bodies: 'bodies/',
  /** Files agents attach to replies from the dashboard. */
  uploads: 'uploads/',
  /** Attachments of mail SES found a virus in: downloaded only after an agent confirms, never sent on. */
  quarantine: 'quarantine/',
} as const;

export type MailPrefix = keyof typeof MAIL_PREFIXES;

/** A file name safe in an S3 key and a header: word characters, dots and dashes, at most 100, no leading dot. */
export function safeFilename(filename: string): string {
  return (
    filename
      .replace(/[^\w.-]+/g, '_')
      .replace(/^\.+/, '')
      .slice(-100) || 'attachment'
  );
}

/**
 * Object keys in the mail bucket, each under its prefix. An attachment's name is prefixed with its part index,
 * which keeps names unique within a message (a download drops it again).
 */
export const mailKeys = {
  attachment: (ticketId: string, messageId: string, index: number, filename: string) =>
    `${MAIL_PREFIXES.attachments}${ticketId}/${messageId}/${index}-${safeFilename(filename)}`,
  body: (ticketId: string, messageId: string) => `${MAIL_PREFIXES.bodies}${ticketId}/${messageId}.json`,
  upload: (uploadId: string, filename: string) => `${MAIL_PREFIXES.uploads}${uploadId}/${safeFilename(filename)}`,
  quarantined: (ticketId: string, messageId: string, index: number, filename: string) =>
    `${MAIL_PREFIXES.quarantine}${ticketId}/${messageId}/${index}-${safeFilename(filename)}`,
};

/** Keys a download may name: what ingest stored and what agents uploaded; never raw mail or bodies. */
export const DOWNLOADABLE_KEY = new RegExp(
  `^(${MAIL_PREFIXES.attachments}[a-z0-9]+/[a-z0-9]+/\\d+-|${MAIL_PREFIXES.uploads}[a-z0-9]{26}/)[\\w.-]{1,100}$`,
);
/** Keys of quarantined attachments: downloadable only through the confirming route. */
export const QUARANTINED_KEY = new RegExp(`^${MAIL_PREFIXES.quarantine}[a-z0-9]+/[a-z0-9]+/\\d+-[\\w.-]{1,100}$`);
/** Keys {@link mailKeys.upload} makes with a fresh id. */
export const UPLOAD_KEY = new RegExp(`^${MAIL_PREFIXES.uploads}[a-z0-9]{26}/[\\w.-]{1,100}$`);

/** SES writes an object with this name when a receipt rule is created; it is not mail. */
export const SES_SETUP_NOTIFICATION = 'AMAZON_SES_SETUP_NOTIFICATION';

/** The table's key attributes (generic, single-table design) and its TTL attribute. */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

/** The names of the table's global secondary indexes. */
export type IndexName = 'byStatus' | 'byAssignee' | 'byRequester' | 'byCreated';

export interface IndexDefinition {
  readonly indexName: IndexName;
  readonly partitionKey: 'gsi1pk' | 'gsi2pk' | 'gsi3pk' | 'gsi4pk';
  readonly sortKey: 'gsi1sk' | 'gsi2sk' | 'gsi3sk' | 'gsi4sk';
}

/**
 * The global secondary indexes. Every one projects keys only: an index entry is rewritten only when its own keys
 * change (a ticket update that leaves the requester alone writes nothing to byRequester), and each write is one
 * unit whatever the ticket's size. Readers fetch the items by key after the Query (one BatchGetItem a page).
 */
export const TABLE_INDEXES: readonly IndexDefinition[] = [
  // Tickets by status and mail-log records by outcome, newest activity first.
  { indexName: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'byAssignee', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  { indexName: 'byRequester', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  // Tickets by status, newest (or oldest) first by creation: `sort=created`.
  { indexName: 'byCreated', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
];

/** The CreateTable input DynamoDB Local gets; the CDK construct builds the same table (a test compares them). */
export function createTableInput(tableName: string) {
  const attributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
  };
}

export interface TableKey {
  pk: string;
  sk: string;
}

/**
 * Key of every item kind. Items of one ticket share its partition (`TICKET#<id>`), so one Query reads the
 * whole ticket; lookups by Message-ID, number, address and S3 key are single-item partitions.
 */
export const keys = {
  ticket: (ticketId: string): TableKey => ({ pk: `TICKET#${ticketId}`, sk: 'META' }),
  message: (message: { ticketId: string; createdAt: string; id: string }): TableKey => ({
    pk: `TICKET#${message.ticketId}`,
    sk: `MSG#${message.createdAt}#${message.id}`,
  }),
  delivery: (ticketId: string, deliveryId: string): TableKey => ({ pk: `TICKET#${ticketId}`, sk: `OUT#${deliveryId}` }),
  messageId: (normalizedId: string): TableKey => ({ pk: `MSGID#${normalizedId}`, sk: 'MSGID' }),
  ingest: (s3Key: string): TableKey => ({ pk: `INGEST#${s3Key}`, sk: 'INGEST' }),
  counter: (deskId: string): TableKey => ({ pk: `DESK#${deskId}`, sk: 'COUNTER' }),
  settings: (deskId: string): TableKey => ({ pk: `DESK#${deskId}`, sk: 'SETTINGS' }),
  /** The turn counter of a desk's round-robin intake rule (by rule name). */
  roundRobin: (deskId: string, rule: string): TableKey => ({ pk: `DESK#${deskId}`, sk: `ROUNDROBIN#${rule}` }),
  number: (deskId: string, number: number): TableKey => ({ pk: `NUM#${deskId}#${number}`, sk: 'NUM' }),
  /** A search term of a ticket (one item per desk, term and ticket; see core/search/search-terms.ts). */
  term: (deskId: string, term: string, ticketId: string): TableKey => ({ pk: termPartition(deskId, term), sk: ticketId }),
  address: (address: string): TableKey => ({ pk: `ADDR#${address.toLowerCase()}`, sk: 'ADDR' }),
  /** A per-address counter for one window: the day for acknowledgements, `relay#<day>`, `notice#<key>#<hour>`. */
  rate: (address: string, window: string): TableKey => ({ pk: `RATE#${address.toLowerCase()}#${window}`, sk: 'RATE' }),
  /** One per stored email content (SHA-256 below SES's block): the same mail stored twice is a duplicate. */
  content: (fingerprint: string): TableKey => ({ pk: `CONTENT#${fingerprint}`, sk: 'CONTENT' }),
  /** A team member's notification preferences (by their lowercased email). */
  agentPreferences: (email: string): TableKey => ({ pk: `AGENT#${email.toLowerCase()}`, sk: 'PREFS' }),
  /**
   * A team member's saved inbox views, all in one item: one read lists them, and one conditional write (on its
   * `version`) keeps names unique and the count within its limit however many tabs save at once.
   */
  savedViews: (email: string): TableKey => ({ pk: `AGENT#${email.toLowerCase()}`, sk: 'VIEWS' }),
  /** A team-shared saved reply; all of them share one partition, read with one Query. */
  savedReply: (replyId: string): TableKey => ({ pk: 'REPLIES', sk: `REPLY#${replyId}` }),
  /** One webhook POST of one event to one configured hook; a ticket's events share a partition. */
  webhookDelivery: (ticketId: string, eventId: string, hookIndex: number): TableKey => ({
    pk: `WEBHOOK#${ticketId}`,
    sk: `EVT#${eventId}#${hookIndex}`,
  }),
};

/** The partition-key prefix of each item kind, for telling items apart in a mixed read. */
export const KEY_PREFIXES = {
  ticket: 'TICKET#',
  messageId: 'MSGID#',
  ingest: 'INGEST#',
  number: 'NUM#',
  term: TERM_KEY_PREFIX,
  address: 'ADDR#',
  content: 'CONTENT#',
} as const;

/** The partition holding every ticket of a desk with one search term. */
export function termPartition(deskId: string, term: string): string {
  return `${KEY_PREFIXES.term}${deskId}#${term}`;
}

/** Sort-key prefixes of the items under a ticket's partition. */
export const TICKET_ITEM_PREFIXES = { message: 'MSG#', delivery: 'OUT#' } as const;

/**
 * The byCreated partition a status is listed in: open and pending share one (`active`). A ticket flips between them
 * on every answer and customer reply, and an index key that does not change costs no index write; lists of one of
 * them filter the shared partition.
 */
export function createdGroup(status: string): string {
  return status === 'open' || status === 'pending' ? 'active' : status;
}

/** The index partitions an inbox view or an ingest listing reads. */
export const indexPartitions = {
  status: (status: string) => `STATUS#${status}`,
  assignee: (assignee: string | null, status: string) => `ASSIGNEE#${assignee ?? '-none-'}#${status}`,
  requester: (address: string) => `REQUESTER#${address}`,
  ingestOutcome: (outcome: string) => `INGEST#${outcome}`,
  /** Every mail-log record, whatever its outcome (on byAssignee, which tickets use under another prefix). */
  mailLog: () => 'MAILLOG',
  created: (status: string) => `CREATED#${createdGroup(status)}`,
};

/**
 * Index keys that place a ticket in the inbox views. Views sort by last activity because gsi1sk/gsi2sk start
 * with `updatedAt`; a status change moves the ticket to another gsi1 partition.
 */
export function ticketIndexKeys(ticket: {
  id: string;
  status: string;
  assignee: string | null;
  updatedAt: string;
  createdAt: string;
  requester: { address: string };
}) {
  return {
    gsi1pk: indexPartitions.status(ticket.status),
    gsi1sk: `${ticket.updatedAt}#${ticket.id}`,
    gsi2pk: indexPartitions.assignee(ticket.assignee, ticket.status),
    gsi2sk: `${ticket.updatedAt}#${ticket.id}`,
    gsi3pk: indexPartitions.requester(ticket.requester.address),
    gsi3sk: `${ticket.createdAt}#${ticket.id}`,
    gsi4pk: indexPartitions.created(ticket.status),
    gsi4sk: `${ticket.createdAt}#${ticket.id}`,
  };
}

/**
 * The notify function's further stream filters (Lambda ORs the filters of a mapping, at most 5): new or changed
 * tickets, new messages and deliveries that failed or bounced, from which it derives agent notifications and webhook events, and
 * webhook deliveries an agent retried.
 */
export const WORKFLOW_STREAM_FILTERS = [
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { type: { S: ['ticket'] } } } },
  { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['message'] } } } },
  // Deliveries that failed for good: unsent, or bounced after SES accepted them (`failedForGood` in core/notify/delivery-marks.ts).
  { eventName: ['MODIFY'], dynamodb: { NewImage: { type: { S: ['delivery'] }, status: { S: ['failed', 'bounced'] } } } },
  // An agent's retry of a failed webhook delivery (`failed → pending`).
  { eventName: ['MODIFY'], dynamodb: { NewImage: { type: { S: ['webhook'] }, status: { S: ['pending'] } } } },
] as const;

/** The `type` attribute of delivery items and the status that asks the notify function to send one. */
export const DELIVERY_ITEM = { type: 'delivery', sendableStatus: 'pending' } as const;

/**
 * The Lambda event filter of the notify function's stream mapping (the pattern `FilterCriteria.filter` takes):
 * only inserts and modifications of delivery items that are pending. The local stack's stream poller applies
 * the same pattern; the handler still checks the old image to tell a retry from its own status writes.
 */
export const NOTIFY_STREAM_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { type: { S: [DELIVERY_ITEM.type] }, status: { S: [DELIVERY_ITEM.sendableStatus] } } },
} as const;

/** Every filter of the notify function's stream mapping: deliveries to send, then the workflow's changes. */
export const NOTIFY_STREAM_FILTERS = [NOTIFY_STREAM_FILTER, ...WORKFLOW_STREAM_FILTERS] as const;

/**
 * The attribute the API puts on the quoted history of a message's HTML and the dashboard's frame hides until asked.
 * Mail cannot carry it: the sanitiser drops every `data-` attribute.
 */
export const QUOTED_HTML_ATTRIBUTE = 'data-sesdesk-quote';
