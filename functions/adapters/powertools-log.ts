// adapter: the core's Log port over Powertools' Logger (structured JSON lines in CloudWatch)
import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../core/ports';

/**
 * A Log for one function. Powertools' methods are variadic; the core's port takes `(message, extra?)`, so
 * this bridges them and every line carries the same keys (ticketId, messageId, deliveryId where known).
 */
export function powertoolsLog(serviceName: string): Log {
  const logger = new Logger({ serviceName });
  return {
    debug: (message, extra = {}) => logger.debug(message, extra),
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
}
