// test support: what the SES stand-in holds for one recipient
import { readOutbox, type OutboxEmail } from '../../bin/local/ses-local';

/** The outbox's emails with `address` among their recipients (case-insensitive), oldest first. */
export async function outboxFor(sesEndpoint: string, address: string): Promise<OutboxEmail[]> {
  const { emails } = await readOutbox(sesEndpoint);
  return emails.filter((email) => email.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}
