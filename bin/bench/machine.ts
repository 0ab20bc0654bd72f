// bench: one line describing the machine a result was measured on (cores, load, Node)
import os from 'node:os';

/** E.g. `2 × Intel Xeon …, load average 13.4 / 16.6 / 11.2 (1/5/15 min), Node v20.20.2, linux x64`. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const load = os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
  return `${cpus.length} × ${model}, load average ${load} (1/5/15 min), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}
