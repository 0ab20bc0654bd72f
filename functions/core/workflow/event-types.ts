// core: the kinds of change the workflow reports: webhook event types and agent notification kinds

/** One webhook event per change, derived from the table's stream (issue 13, DESIGN.md contract 7). */
export const WEBHOOK_EVENT_TYPES = ['ticket.created', 'message.received', 'message.sent', 'ticket.updated', 'delivery.failed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a team member can be mailed about; each can be turned off in their preferences. */
export const NOTICE_KINDS = ['new-ticket', 'customer-reply', 'held-message', 'assigned', 'delivery-failed'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
