// bench: list prices (shared/reference/prices.md, us-east-1) and the arithmetic from per-ticket usage to a monthly bill

/** USD list prices, us-east-1, as gathered in prices.md §1 (row numbers in comments). */
export const PRICES = {
  sesInboundMessage: 0.1 / 1000, // 1
  sesInboundChunk: 0.09 / 1000, // 2: per 256 KB of incoming mail
  sesOutboundRecipient: 0.1 / 1000, // 3: à la carte (plan NONE)
  sesOutboundAttachmentGb: 0.12, // 4
  s3StorageGbMonth: 0.023, // 7
  s3Put: 0.005 / 1000, // 8
  s3Get: 0.0004 / 1000, // 9
  lambdaGbSecondArm: 0.0000133334, // 10
  lambdaRequest: 0.2 / 1_000_000, // 11
  dynamoWru: 0.625 / 1_000_000, // 13
  dynamoRru: 0.125 / 1_000_000, // 14
  dynamoStorageGbMonth: 0.25, // 16
  httpApiRequest: 1 / 1_000_000, // 17
  cloudFrontHttpsRequest: 0.01 / 10_000, // 18
  cognitoEssentialsMau: 0.015, // 20: above the first 10,000 MAU of an account, which are free
  cognitoPlusMau: 0.02, // 20: no free tier; only with threat protection
  logsIngestGb: 0.5, // 21
  sqsRequest: 0.4 / 1_000_000, // 22
  secretMonth: 0.4, // 23
  secretsApiCall: 0.05 / 10_000, // 23
  dataTransferOutGb: 0.09, // 24
  // Not in prices.md (it leaves them unpriced): AWS list prices, to be verified like its [verify] rows.
  kmsKeyMonth: 1,
  alarmMonth: 0.1,
  dashboardMonth: 3,
} as const;

/** Lambda gives a function one vCPU at 1,769 MB and a proportional share below that. */
export const FULL_VCPU_MB = 1769;
const GB = 1e9;
const CHUNK_BYTES = 256 * 1024;

/** Per-ticket usage of one Lambda function. */
export interface FunctionUsage {
  readonly name: string;
  readonly memoryMb: number;
  readonly invocations: number;
  /** Invocations that may start cold: not those that follow another by milliseconds in the same environment. */
  readonly coldCandidates: number;
  /** Sum of the warm handler durations of one ticket's invocations, in ms, as run on Lambda. */
  readonly handlerMs: number;
  /** INIT duration of one cold start, in ms. */
  readonly initMs: number;
  /** Whether a cold start fetches the reply-token secret. */
  readonly readsSecretAtInit: boolean;
}

/** Everything one ticket uses; the bench measures most of it and prices.md assumes the rest. */
export interface TicketUsage {
  readonly inboundMessages: number;
  /** 256 KB chunks of the inbound messages, heavy-attachment tail included. */
  readonly inboundChunks: number;
  readonly outboundRecipients: number;
  readonly outboundAttachmentBytes: number;
  readonly s3Puts: number;
  readonly s3Gets: number;
  readonly s3StoredBytes: number;
  readonly wru: number;
  readonly rru: number;
  readonly itemBytes: number;
  readonly functions: readonly FunctionUsage[];
  readonly apiRequests: number;
  readonly logBytes: number;
  readonly responseBytes: number;
  readonly sqsRequests: number;
}

/** Monthly figures that do not grow with tickets. */
export interface FixedResources {
  readonly secrets: number;
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly agents: number;
  /** The user pool's feature plan: Essentials unless threat protection asked for Plus. */
  readonly cognitoPlan: 'essentials' | 'plus';
}

/** Cognito Essentials' free monthly active users (per account). */
export const COGNITO_ESSENTIALS_FREE_MAU = 10_000;

/** One priced line of the bill. */
export interface CostLine {
  readonly line: string;
  readonly quantity: string;
  readonly usd: number;
}

/** Chunks SES bills for one message of `bytes`. */
export function chunksOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / CHUNK_BYTES));
}

/**
 * Duration on Lambda from one measured here (a full core per handler): the compute part slows by Lambda's CPU
 * share at `memoryMb`; the time spent waiting on remote services (`ioMs`) does not.
 */
export function lambdaMs(measuredMs: number, ioMs: number, memoryMb: number): number {
  const io = Math.min(ioMs, measuredMs);
  return (measuredMs - io) * Math.max(1, FULL_VCPU_MB / memoryMb) + io;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The variable bill for `tickets` tickets in a month with `coldShare` of invocations starting cold, line by line.
 * @example monthlyCost(usage, 1000, 0.5)
 */
export function monthlyCost(usage: TicketUsage, tickets: number, coldShare: number): CostLine[] {
  const gbSeconds = usage.functions.reduce(
    (sum, f) => sum + (f.memoryMb / 1024) * ((f.handlerMs + f.coldCandidates * coldShare * f.initMs) / 1000),
    0,
  );
  const invocations = usage.functions.reduce((sum, f) => sum + f.invocations, 0);
  const secretCalls = usage.functions.reduce((sum, f) => sum + (f.readsSecretAtInit ? f.coldCandidates * coldShare : 0), 0);
  const n = tickets;
  return [
    { line: 'SES inbound messages', quantity: fmt(usage.inboundMessages * n), usd: usage.inboundMessages * n * PRICES.sesInboundMessage },
    { line: 'SES inbound 256 KB chunks', quantity: fmt(usage.inboundChunks * n), usd: usage.inboundChunks * n * PRICES.sesInboundChunk },
    {
      line: 'SES outbound recipients',
      quantity: fmt(usage.outboundRecipients * n),
      usd: usage.outboundRecipients * n * PRICES.sesOutboundRecipient,
    },
    {
      line: 'SES outbound attachments',
      quantity: `${fmt((usage.outboundAttachmentBytes * n) / GB, 3)} GB`,
      usd: ((usage.outboundAttachmentBytes * n) / GB) * PRICES.sesOutboundAttachmentGb,
    },
    { line: 'S3 PUT (SES raw mail + functions)', quantity: fmt(usage.s3Puts * n), usd: usage.s3Puts * n * PRICES.s3Put },
    { line: 'S3 GET', quantity: fmt(usage.s3Gets * n), usd: usage.s3Gets * n * PRICES.s3Get },
    {
      line: 'S3 storage, first month',
      quantity: `${fmt((usage.s3StoredBytes * n) / GB, 3)} GB`,
      usd: ((usage.s3StoredBytes * n) / GB) * PRICES.s3StorageGbMonth,
    },
    { line: 'DynamoDB writes', quantity: `${fmt(usage.wru * n)} WRU`, usd: usage.wru * n * PRICES.dynamoWru },
    { line: 'DynamoDB reads', quantity: `${fmt(usage.rru * n)} RRU`, usd: usage.rru * n * PRICES.dynamoRru },
    {
      line: 'DynamoDB storage, first month',
      quantity: `${fmt((usage.itemBytes * n) / GB, 4)} GB`,
      usd: ((usage.itemBytes * n) / GB) * PRICES.dynamoStorageGbMonth,
    },
    { line: 'Lambda duration (arm64)', quantity: `${fmt(gbSeconds * n, 1)} GB-s`, usd: gbSeconds * n * PRICES.lambdaGbSecondArm },
    { line: 'Lambda requests', quantity: fmt(invocations * n), usd: invocations * n * PRICES.lambdaRequest },
    { line: 'HTTP API requests', quantity: fmt(usage.apiRequests * n), usd: usage.apiRequests * n * PRICES.httpApiRequest },
    {
      line: 'CloudFront HTTPS requests (/api/*)',
      quantity: fmt(usage.apiRequests * n),
      usd: usage.apiRequests * n * PRICES.cloudFrontHttpsRequest,
    },
    {
      line: 'CloudWatch Logs ingestion',
      quantity: `${fmt((usage.logBytes * n) / GB, 4)} GB`,
      usd: ((usage.logBytes * n) / GB) * PRICES.logsIngestGb,
    },
    {
      line: 'Data transfer out (API responses)',
      quantity: `${fmt((usage.responseBytes * n) / GB, 4)} GB`,
      usd: ((usage.responseBytes * n) / GB) * PRICES.dataTransferOutGb,
    },
    { line: 'SQS (failure queues)', quantity: fmt(usage.sqsRequests * n), usd: usage.sqsRequests * n * PRICES.sqsRequest },
    { line: 'Secrets Manager API calls (cold starts)', quantity: fmt(secretCalls * n), usd: secretCalls * n * PRICES.secretsApiCall },
  ];
}

/** The monthly bill that does not depend on ticket volume. */
export function fixedMonthlyCost(fixed: FixedResources): CostLine[] {
  return [
    { line: 'Secrets Manager secrets', quantity: fmt(fixed.secrets), usd: fixed.secrets * PRICES.secretMonth },
    { line: 'KMS customer managed keys', quantity: fmt(fixed.kmsKeys), usd: fixed.kmsKeys * PRICES.kmsKeyMonth },
    fixed.cognitoPlan === 'plus'
      ? { line: 'Cognito MAU (Plus plan, no free tier)', quantity: fmt(fixed.agents), usd: fixed.agents * PRICES.cognitoPlusMau }
      : {
          line: `Cognito MAU (Essentials plan, first ${fmt(COGNITO_ESSENTIALS_FREE_MAU)} free)`,
          quantity: fmt(fixed.agents),
          usd: Math.max(0, fixed.agents - COGNITO_ESSENTIALS_FREE_MAU) * PRICES.cognitoEssentialsMau,
        },
    { line: 'CloudWatch alarms', quantity: fmt(fixed.alarms), usd: fixed.alarms * PRICES.alarmMonth },
    { line: 'CloudWatch dashboards', quantity: fmt(fixed.dashboards), usd: fixed.dashboards * PRICES.dashboardMonth },
  ];
}

/** Sum of a bill's lines. */
export function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.usd, 0);
}
