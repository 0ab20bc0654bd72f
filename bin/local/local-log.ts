// local stack: a Log that keeps full JSON lines in a file and prints short lines a person can follow
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Log } from '../../functions/core/ports';

/** Messages worth a line on the console while the desk runs; everything goes to the log file. */
const CONSOLE_WORTHY =
  /ticket created|reply added|bounce recorded|mail (failed|ignored|duplicate)|delivery (sent|failed|suppressed)|email sent|failed/i;

/**
 * The local stack's logger. Lambda's JSON lines (the same fields, ticket and message ids included) go to
 * `<dataDir>/logs/<service>.log`; the console gets one readable line per event that matters.
 */
export class LocalLog implements Log {
  private readonly file: string;

  constructor(
    private readonly service: string,
    dataDir: string,
    private readonly console: Pick<Console, 'log' | 'error'> | null = globalThis.console,
  ) {
    mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    this.file = path.join(dataDir, 'logs', `${service}.log`);
  }

  debug(message: string, extra?: Record<string, unknown>) {
    this.write('DEBUG', message, extra);
  }
  info(message: string, extra?: Record<string, unknown>) {
    this.write('INFO', message, extra);
  }
  warn(message: string, extra?: Record<string, unknown>) {
    this.write('WARN', message, extra);
  }
  error(message: string, extra?: Record<string, unknown>) {
    this.write('ERROR', message, extra);
  }

  private write(level: string, message: string, extra: Record<string, unknown> = {}) {
    appendFileSync(
      this.file,
      `${JSON.stringify({ level, timestamp: new Date().toISOString(), service: this.service, message, ...extra })}\n`,
    );
    if (!this.console || level === 'DEBUG' || (level === 'INFO' && !CONSOLE_WORTHY.test(message))) return;
    const details = ['ticketId', 'number', 'deliveryId', 'outcome', 'reason', 'error']
      .filter((key) => extra[key] !== undefined && extra[key] !== null)
      .map((key) => `${key}=${String(extra[key])}`)
      .join(' ');
    const line = `[${this.service}] ${message}${details ? ` (${details})` : ''}`;
    if (level === 'ERROR' || level === 'WARN') this.console.error(line);
    else this.console.log(line);
  }
}
