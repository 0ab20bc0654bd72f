// test support (fuzz): the exact shape of ParsedMail, so a property can check every field's type at once
import { z } from 'zod';

const mailbox = z.strictObject({ address: z.string(), name: z.string() });

const attachmentInfo = {
  filename: z.string().min(1),
  contentType: z.string().min(1),
  size: z.number().int().nonnegative(),
  inline: z.boolean(),
  cid: z.string().min(1).nullable(),
};

/** A classification as contract 3 prints it. */
export const classificationSchema = z.strictObject({
  kind: z.enum(['normal', 'auto-reply', 'bounce', 'complaint']),
  reason: z.string().min(1),
  failedRecipients: z.array(z.string()),
  permanent: z.boolean().optional(),
  originalMessageIds: z
    .array(z.string().regex(/^<[^<>\s]+>$/))
    .min(1)
    .optional(),
  sesMessageId: z.string().min(1).optional(),
});

/** Contract 3 of DESIGN.md: exactly the fields `sesdesk parse` prints, each with its type. */
export const parsedEmailSchema = z.strictObject({
  messageId: z.string().min(1),
  inReplyTo: z.string().min(1).nullable(),
  references: z.array(z.string().min(1)),
  from: mailbox,
  replyTo: z.array(mailbox),
  to: z.array(mailbox),
  cc: z.array(mailbox),
  subject: z.string(),
  date: z.iso.datetime().nullable(),
  text: z.string(),
  reply: z.string(),
  replyConfidence: z.enum(['high', 'low', 'none']),
  html: z.string().nullable(),
  attachments: z.array(z.strictObject(attachmentInfo)),
  classification: classificationSchema,
  // Contract 5: SES's own verdicts, each as SES wrote it (lower-cased) or null.
  authentication: z.strictObject({
    spf: z
      .string()
      .regex(/^[a-z_]+$/)
      .nullable(),
    dkim: z
      .string()
      .regex(/^[a-z_]+$/)
      .nullable(),
    dmarc: z
      .string()
      .regex(/^[a-z_]+$/)
      .nullable(),
  }),
});

/** ParsedMail: the contract plus what ingest needs. */
export const parsedMailSchema = parsedEmailSchema.extend({
  envelopeRecipients: z.array(z.string()),
  verdicts: z.strictObject({ spam: z.string().nullable(), virus: z.string().nullable() }),
  messageIdDerived: z.boolean(),
  warnings: z.array(z.string()),
  dropped: z.array(z.string().min(1)),
  attachmentContents: z.array(z.strictObject({ ...attachmentInfo, content: z.instanceof(Uint8Array) })),
});

/** The order contract 3 lists its fields in (and `toContractJson` prints them). */
export const CONTRACT_FIELDS = Object.keys(parsedEmailSchema.shape);
