// bench: parseEmail (parse + classify + reply extraction) throughput over the corpus vs mailparser's simpleParser alone
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { parseEmail } from '../../functions/core/email/parse-email';
import { corpusDir } from '../../test/support/corpus';
import { listMailFiles } from '../../test/support/mail-files';
import { progress, type Benchmark } from './benchmark';
import { formatCount, formatMs, formatRatio, markdownTable, median, p95, pairedRatio, ratio } from './stats';

const TARGET_RATIO = 1.5;
const SLOWEST_SHOWN = 5;

interface Message {
  readonly name: string;
  readonly raw: Buffer;
}

type Parser = (raw: Buffer) => Promise<unknown>;

/** What one parser cost per message and per round, in milliseconds. */
interface Timings {
  /** Elapsed time: what a caller waits, inflated when other processes hold the cores. */
  readonly wall: Samples;
  /** CPU time of this process (all threads, GC included): barely moved by other processes' load. */
  readonly cpu: Samples;
  failures: number;
}

interface Samples {
  readonly roundTotals: number[];
  /** `perMessage[i]` holds message i's time in every round. */
  readonly perMessage: number[][];
}

function corpusMessages(): Message[] {
  const dir = corpusDir();
  return listMailFiles(dir).map((name) => ({ name, raw: readFileSync(path.join(dir, name)) }));
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function timeRound(parser: Parser, messages: readonly Message[], timings: Timings): Promise<void> {
  let wallTotal = 0;
  let cpuTotal = 0;
  for (const [index, message] of messages.entries()) {
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    // The baseline throws on some malformed mail where ours salvages; both still spent the time.
    await parser(message.raw).catch(() => {
      timings.failures += 1;
    });
    const wall = performance.now() - wallStart;
    const cpu = cpuMs(cpuStart);
    wallTotal += wall;
    cpuTotal += cpu;
    timings.wall.perMessage[index]!.push(wall);
    timings.cpu.perMessage[index]!.push(cpu);
  }
  timings.wall.roundTotals.push(wallTotal);
  timings.cpu.roundTotals.push(cpuTotal);
}

function emptyTimings(count: number): Timings {
  const samples = (): Samples => ({ roundTotals: [], perMessage: Array.from({ length: count }, () => []) });
  return { wall: samples(), cpu: samples(), failures: 0 };
}

/** Per-message medians over the rounds (so one descheduled round does not mark a message slow), and round figures. */
function summarize(samples: Samples, messageCount: number) {
  const perMessage = samples.perMessage.map((times) => median(times));
  const roundTotal = median(samples.roundTotals);
  return {
    roundTotal,
    medianPerMessage: median(perMessage),
    p95PerMessage: p95(perMessage),
    perSecond: (messageCount / roundTotal) * 1000,
    perMessage,
  };
}

export const benchmark: Benchmark = {
  name: 'parse-throughput',
  description: `parseEmail (parse + classify + reply extraction + sanitising) over every .eml/.box in the corpus, against mailparser's simpleParser alone on the same messages, interleaved rounds; target ours/baseline ≤ ${TARGET_RATIO}×`,
  async run({ quick }) {
    const messages = corpusMessages();
    const rounds = quick ? 3 : 9;
    const parsers: Record<'ours' | 'baseline', Parser> = {
      ours: (raw) => parseEmail(raw),
      baseline: (raw) => simpleParser(raw),
    };
    const timings = { ours: emptyTimings(messages.length), baseline: emptyTimings(messages.length) };

    // Warm-up: JIT and lazily loaded charset tables, so round 1 is not a start-up measurement.
    progress(`parse-throughput: warm-up over ${messages.length} messages`);
    const discard = { ours: emptyTimings(messages.length), baseline: emptyTimings(messages.length) };
    await timeRound(parsers.ours, messages, discard.ours);
    await timeRound(parsers.baseline, messages, discard.baseline);

    for (let round = 0; round < rounds; round++) {
      // ABBA order: whichever side runs second in a round gets a warmer heap, so alternate it.
      const order = round % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const side of order) await timeRound(parsers[side], messages, timings[side]);
      progress(`parse-throughput: round ${round + 1}/${rounds}`);
    }

    const summaries = {
      cpu: { ours: summarize(timings.ours.cpu, messages.length), baseline: summarize(timings.baseline.cpu, messages.length) },
      wall: { ours: summarize(timings.ours.wall, messages.length), baseline: summarize(timings.baseline.wall, messages.length) },
    };
    const rows: string[][] = [];
    const verdicts: string[] = [];
    for (const clock of ['cpu', 'wall'] as const) {
      const { ours, baseline } = summaries[clock];
      const paired = pairedRatio(timings.ours[clock].roundTotals, timings.baseline[clock].roundTotals);
      const row = (label: string, s: typeof ours) => [
        label,
        formatMs(s.roundTotal),
        formatMs(s.roundTotal / messages.length),
        formatMs(s.medianPerMessage),
        formatMs(s.p95PerMessage),
        formatCount(s.perSecond),
      ];
      rows.push(row(`${clock}: ours, parseEmail`, ours), row(`${clock}: baseline, simpleParser`, baseline), [
        `**${clock}: ours / baseline**`,
        `**${formatRatio(paired)}** (paired per round)`,
        formatRatio(ratio(ours.roundTotal, baseline.roundTotal)),
        formatRatio(ratio(ours.medianPerMessage, baseline.medianPerMessage)),
        formatRatio(ratio(ours.p95PerMessage, baseline.p95PerMessage)),
        formatRatio(ratio(ours.perSecond, baseline.perSecond)),
      ]);
      verdicts.push(`${clock} time ${paired <= TARGET_RATIO ? 'within' : '**OVER**'} (${formatRatio(paired)})`);
    }
    const table = markdownTable(
      ['clock: parser', 'median round (all messages)', 'mean per message', 'median per message', 'p95 per message', 'messages/s'],
      rows,
    );

    const { ours, baseline } = summaries.cpu;
    const slowest = messages
      .map((message, index) => ({
        name: message.name,
        size: message.raw.length,
        ours: ours.perMessage[index]!,
        baseline: baseline.perMessage[index]!,
      }))
      .sort((a, b) => b.ours - a.ours)
      .slice(0, SLOWEST_SHOWN);
    const slowTable = markdownTable(
      ['message (most CPU for ours)', 'bytes', 'ours, CPU', 'baseline, CPU', 'ratio'],
      slowest.map((m) => [m.name, formatCount(m.size), formatMs(m.ours), formatMs(m.baseline), formatRatio(ratio(m.ours, m.baseline))]),
    );
    const throws = `${timings.ours.failures / rounds} for ours, ${timings.baseline.failures / rounds} for the baseline`;
    return [
      `${messages.length} messages (${formatCount(messages.reduce((sum, m) => sum + m.raw.length, 0))} bytes), ${rounds} interleaved rounds after one warm-up round; figures are medians over rounds. ` +
        `CPU time (process.cpuUsage around each call) is the figure to compare on a shared machine; wall time is what a caller waits. Messages that threw per round: ${throws}.`,
      '',
      table,
      '',
      `Target ours/baseline ≤ ${TARGET_RATIO}× on throughput: ${verdicts.join('; ')}.`,
      '',
      slowTable,
    ].join('\n');
  },
};
