// core: one change the table's stream reports, as the workflow (notifications, webhooks) sees it
import type { Delivery } from '../notify/notify-ports';
import type { Ticket, TicketMessage } from '../types';

/**
 * A change to the table that someone may be told about. `source` names the change uniquely and is the same every
 * time its stream record is delivered again: ids derived from it make notifications and webhook events exactly-once.
 */
export type TableChange =
  | { readonly kind: 'ticket-created'; readonly source: string; readonly ticket: Ticket }
  | { readonly kind: 'ticket-changed'; readonly source: string; readonly before: Ticket; readonly after: Ticket }
  | { readonly kind: 'message-added'; readonly source: string; readonly message: TicketMessage }
  | { readonly kind: 'delivery-failed'; readonly source: string; readonly delivery: Delivery };
