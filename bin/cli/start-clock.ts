// cli: how long ago the command a person typed started: `npm start` itself, not just this Node process
import { readFileSync } from 'node:fs';

/** Linux reports process start times in clock ticks of 1/100 s (USER_HZ, fixed by the kernel ABI). */
const TICK_MS = 10;

/** What the elapsed time is measured from. */
export interface CommandClock {
  /** `npm start` (or whichever npm command ran this one), else `sesdesk` for this process. */
  readonly command: string;
  /** Milliseconds since the command started. */
  elapsedMs(): number;
}

interface ProcStat {
  readonly ppid: number;
  readonly startTicks: number;
}

function procStat(pid: number | 'self'): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces and parentheses itself, so count fields after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const startTicks = Number(fields[19]);
    return Number.isFinite(ppid) && Number.isFinite(startTicks) ? { ppid, startTicks } : null;
  } catch {
    return null;
  }
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function isNpm(pid: number): boolean {
  // npm renames its process to `npm start`; run through node it is `node …/npm-cli.js start`.
  return commandLine(pid)
    .slice(0, 2)
    .some((arg) => /(^|\/)(npm|npx)(-cli\.js)?(\s|$)/.test(arg));
}

/**
 * A clock that starts when the command did. Run by an npm script on Linux, it finds the npm process that ran it
 * and counts from its start, so npm's own start-up is included; elsewhere it counts from this
 * process's start. Either way everything before the first line this process prints is included.
 * @example const clock = commandClock(); … console.log(`ready in ${clock.elapsedMs()} ms from ${clock.command}`);
 */
export function commandClock(env: NodeJS.ProcessEnv = process.env): CommandClock {
  const own = { command: 'sesdesk', elapsedMs: () => performance.now() };
  const script = env.npm_lifecycle_script;
  if (process.platform !== 'linux' || !env.npm_lifecycle_event || !script) return own;
  const self = procStat('self');
  if (!self) return own;
  // npm runs a script in a shell, which runs this process: only that chain counts (not, say, a test runner npm started).
  let pid = self.ppid;
  let parent = procStat(pid);
  if (parent && commandLine(pid).some((arg) => arg.includes(script))) {
    pid = parent.ppid;
    parent = procStat(pid);
  }
  if (!parent || !isNpm(pid)) return own;
  const leadMs = (self.startTicks - parent.startTicks) * TICK_MS;
  if (leadMs < 0 || leadMs > 60_000) return own;
  const command = env.npm_lifecycle_event === 'npx' ? 'npx' : `npm ${env.npm_lifecycle_event}`;
  return { command, elapsedMs: () => performance.now() + leadMs };
}
