// core: who the desk's mail about a ticket goes to (pure)
import { isDeskAddress, type DeskConfig } from '../config/desk-config';
import type { Mailbox, Ticket } from '../types';

/**
 * The requester and participants, each once (case-insensitively), without those who unsubscribed from the ticket and
 * without any desk address (which would mail the desk itself): who an agent's public reply is emailed to.
 */
export function replyRecipients(ticket: Ticket, config: DeskConfig): Mailbox[] {
  const requesterEntry = ticket.participants.find((p) => p.address.toLowerCase() === ticket.requester.address.toLowerCase());
  const people = [{ ...ticket.requester, unsubscribed: requesterEntry?.unsubscribed ?? false }, ...ticket.participants];
  const seen = new Set<string>();
  const recipients: Mailbox[] = [];
  for (const person of people) {
    const address = person.address.trim().toLowerCase();
    if (!address.includes('@') || seen.has(address)) continue;
    seen.add(address);
    if (person.unsubscribed || isDeskAddress(config, address)) continue;
    recipients.push({ address, name: person.name });
  }
  return recipients;
}
