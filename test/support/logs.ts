// test support: the one Log tests use: it keeps every line
import type { Log } from '../../functions/core/ports';

/** One logged line. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: Record<string, unknown>;
}

/** Logs nothing but keeps every line, so tests can assert what was logged and with which context. */
export class MemoryLog implements Log {
  readonly lines: LogLine[] = [];
  debug(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra: Record<string, unknown> = {}) {
    this.lines.push({ level: 'error', message, extra });
  }
}
