// test support: a whole local stack on free ports in a temp directory, for the reliability tests
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueLocalToken } from '../../functions/core/api/local-auth';
import type { DeskConfig } from '../../functions/core/config/desk-config';
import type { FaultInjector } from '../../bin/local/faults';
import { localEnvOnFreePorts, type LocalEnv } from '../../bin/local/local-env';
import { readLocalSecret } from '../../bin/local/local-secret';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';

export interface StackHarness {
  readonly env: LocalEnv;
  readonly stack: LocalStack;
  /** A valid API token for the first team member. */
  readonly token: string;
  stop(): Promise<void>;
}

/** Starts the stack in a fresh data directory on free ports; `stop` removes the directory. */
export async function startStackHarness(config: DeskConfig, faults?: FaultInjector): Promise<StackHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-reliability-'));
  const { env } = await localEnvOnFreePorts(dataDir);
  const stack = await startLocalStack({ env, config, console: null, retryDelayMs: () => 200, faults });
  const token = await issueLocalToken(await readLocalSecret(dataDir), config.team[0]!);
  return {
    env,
    stack,
    token,
    async stop() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
