// core: the one-line preview of a message shown in the inbox
import type { TicketMessage } from '../types';

/** What was newly written, on one line, at most 200 characters. */
export function previewOf(message: Pick<TicketMessage, 'reply' | 'text'>): string {
  return (message.reply || message.text).replace(/\s+/g, ' ').trim().slice(0, 200);
}
