// core: the fields of a ticket list query (`GET /api/tickets`), shared by the route and the saved views that store one
import * as z from 'zod/mini';
import '../config/zod-messages';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../types';

/** A ticket status, typed as the core's. */
export const ticketStatus = z.pipe(
  z.enum(TICKET_STATUSES as [string, ...string[]]),
  z.transform((s: string) => s as TicketStatus),
);

/** A ticket priority, typed as the core's. */
export const ticketPriority = z.pipe(
  z.enum(TICKET_PRIORITIES as [string, ...string[]]),
  z.transform((p: string) => p as TicketPriority),
);

/** An email address, lowercased (as team members, requesters and index keys are). */
export const emailAddress = z.pipe(
  z.email().check(z.maxLength(254)),
  z.transform((s: string) => s.toLowerCase()),
);

/** `sort`: last activity or creation. */
export const sortField = z.enum(['updated', 'created']);
/** `order`: newest (`desc`) or oldest first. */
export const sortOrder = z.enum(['asc', 'desc']);

/** What narrows a ticket list; each optional (absent: no narrowing). */
export const listFilterFields = {
  q: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  status: z.optional(ticketStatus),
  label: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))),
  /** An agent's address, or `none` for unassigned tickets. */
  assignee: z.optional(z.union([z.literal('none'), emailAddress])),
  desk: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  priority: z.optional(ticketPriority),
  requester: z.optional(emailAddress),
  delivery: z.optional(z.literal('failed')),
};
