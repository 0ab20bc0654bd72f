// integration: `sesdesk redrive` on the local stack: stuck deliveries sent once, however often it runs; the failure file emptied
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFailedBatch, FileFailedBatchStore, notifyFailuresFile, onFailureRecord } from '../../bin/local/notify-failures';
import { LOOPBACK } from '../../bin/local/ports';
import { readOutbox } from '../../bin/local/ses-local';
import { localRedriveTarget } from '../../bin/cli/redrive-target';
import { keys } from '../../functions/contracts';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { redriveDeliveries } from '../../functions/core/notify/redrive';
import { sesdesk } from '../support/cli';
import { deliveriesOf } from '../support/scan-table';
import { startStackHarness, type StackHarness } from '../support/stack-harness';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('sesdesk redrive on the local stack', () => {
  let desk: StackHarness;
  const customer = `cora-${randomUUID().slice(0, 6)}@example.com`;
  const stuck = { dead: `dead-${randomUUID().slice(0, 6)}@example.com`, released: `released-${randomUUID().slice(0, 6)}@example.com` };
  let ticketId: string;

  const table = () => desk.env.tableName;
  const documents = () => desk.stack.runtime.documents;
  /** The ticket's customer deliveries (the team's notice of the new ticket is sent by the stream as usual). */
  const deliveries = async () => (await deliveriesOf(documents(), table(), ticketId)).filter((d) => d.kind !== 'agent-notice');
  const mailTo = async (address: string) =>
    (await readOutbox(desk.stack.urls.outbox)).emails.filter((email) => email.destination.to.some((to) => to.includes(address)));

  beforeAll(async () => {
    desk = await startStackHarness({ config: DEFAULT_DESK_CONFIG });
    // A customer writes in; the desk acknowledges.
    const smtp = nodemailer.createTransport({ host: LOOPBACK, port: desk.env.smtpPort, secure: false, ignoreTLS: true });
    await smtp.sendMail({ from: customer, to: DEFAULT_DESK_CONFIG.desks[0]!.address, subject: 'Stuck mail', text: 'Hello' });
    smtp.close();
    await desk.stack.settled();
    const inbox = await fetch(`${desk.stack.urls.dashboard}/api/tickets?status=open`, {
      headers: { authorization: `Bearer ${desk.token}` },
    });
    ticketId = ((await inbox.json()) as { items: { id: string }[] }).items[0]!.id;
    const ack = (await deliveries())[0]!;
    expect(ack.status).toBe('sent');

    // Two replies left behind as a crash and a discarded stream record leave them (the states are the fixture):
    // `dead`: claimed by an invocation that died, its lease long over; `released`: given back to pending by notify
    // after an SES error, whose stream record Lambda then gave up on.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    const reply = (id: string, address: string) => ({
      ...ack,
      ...keys.delivery(ticketId, id),
      id,
      kind: 'reply',
      recipient: { address, name: 'Stuck' },
      status: 'sending',
      claimId: 'claim-of-a-dead-invocation',
      leaseUntil: tenMinutesAgo,
      attempts: 1,
      updatedAt: tenMinutesAgo,
      sesMessageId: undefined,
      sentAt: undefined,
      messageIds: undefined,
    });
    const deadId = `dead${randomUUID().slice(0, 8)}`;
    const releasedId = `released${randomUUID().slice(0, 8)}`;
    await documents().send(new PutCommand({ TableName: table(), Item: reply(deadId, stuck.dead) }));
    await documents().send(new PutCommand({ TableName: table(), Item: reply(releasedId, stuck.released) }));
    await documents().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.delivery(ticketId, releasedId),
        UpdateExpression: 'SET #status = :pending, lastError = :error REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':error': 'Throttling: Maximum sending rate exceeded.' },
      }),
    );
    await appendFailedBatch(
      notifyFailuresFile(desk.env.dataDir),
      onFailureRecord([], {
        streamArn: 'local',
        functionName: 'notify',
        attempts: 11,
        condition: 'RetryAttemptsExhausted',
        now: new Date(),
      }),
    );
    await desk.stack.settled();
  }, 180_000);

  afterAll(async () => {
    await desk?.stop();
  });

  it('finds nothing sent for the stuck deliveries before the redrive: the stream does not move them', async () => {
    expect(await mailTo(stuck.dead)).toHaveLength(0);
    expect(await mailTo(stuck.released)).toHaveLength(0);
    expect((await deliveries()).map((d) => d.status).sort()).toEqual(['pending', 'sending', 'sent']);
  });

  it('sends each stuck delivery once through the notify function, and empties the failure file (the compiled CLI)', async () => {
    const vars = { SESDESK_DATA_DIR: desk.env.dataDir, SESDESK_DYNAMODB_PORT: String(desk.env.dynamoPort) };

    const dry = await sesdesk(['redrive', '--dry-run'], vars);
    const run = await sesdesk(['redrive', '--older-than', '1'], vars);
    await desk.stack.settled();

    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/: 2 deliveries to re-drive, 1 failed stream batch\(es\) in the queue, left there$/m);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/re-driven .*\(lease over since/);
    expect(run.stdout).toMatch(/re-driven .*\(pending since/);
    expect(run.stdout).toMatch(/: 2 deliveries re-driven, 1 failed stream batch\(es\) removed from the queue$/m);
    expect(await mailTo(stuck.dead)).toHaveLength(1);
    expect(await mailTo(stuck.released)).toHaveLength(1);
    expect((await deliveries()).map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
    expect(await new FileFailedBatchStore(notifyFailuresFile(desk.env.dataDir)).receive()).toEqual([]);
  });

  it('never sends twice when the same delivery is re-driven twice in a row, before notify has sent it', async () => {
    // Arrange: the `dead` delivery stuck again.
    const dead = (await deliveries()).find((d) => (d.recipient as { address: string }).address === stuck.dead)!;
    await documents().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.delivery(ticketId, dead.id as string),
        UpdateExpression: 'SET #status = :sending, leaseUntil = :past, claimId = :dead',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending', ':past': new Date(Date.now() - 60_000).toISOString(), ':dead': 'dead-again' },
      }),
    );
    const { deps } = localRedriveTarget(desk.env, quiet);

    // Act: two runs back to back, with no age limit, so the second writes too if the first was not yet sent.
    const first = await redriveDeliveries(deps, { olderThanMs: 0, dryRun: false });
    const second = await redriveDeliveries(deps, { olderThanMs: 0, dryRun: false });
    await desk.stack.settled();
    const third = await redriveDeliveries(deps, { olderThanMs: 0, dryRun: false });

    // Assert: at most one more email (the one SES had "lost"), however the two requests raced notify.
    expect(first.redriven).toHaveLength(1);
    expect(second.redriven.length + second.movedOn + second.inFlight).toBeLessThanOrEqual(1);
    expect(await mailTo(stuck.dead)).toHaveLength(2);
    expect(third.redriven).toEqual([]);
  });
});
