// unit: a ticket the desk opens keeps its own copies of the agent's uploads, as a reply does
import { describe, expect, it } from 'vitest';
import { openTicketFromDesk } from '../../../functions/core/api/desk-tickets';
import type { ApiDeps, NewDeskTicketWrite } from '../../../functions/core/api/api-ports';
import { InvalidInputError, NotFoundError } from '../../../functions/core/errors';
import { CONFIG } from '../notify/notify-fixtures';

const AGENT = { email: 'ada@help.example.com', name: 'Ada Agent' };
const UPLOAD = { key: 'uploads/2026-11-29/abc/invoice.pdf', filename: 'invoice.pdf', contentType: 'application/pdf', size: 1234 };

/** Just what opening a ticket touches: the number counter, the copy of uploads and the one write. */
function fakeDeps(existing: ReadonlySet<string>) {
  const copies: [string, string][] = [];
  const writes: NewDeskTicketWrite[] = [];
  const deps = {
    config: CONFIG,
    bucket: 'mail',
    clock: () => new Date('2026-11-29T20:00:00Z'),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    tickets: { nextTicketNumber: async () => 7 },
    desk: { createTicket: async (write: NewDeskTicketWrite) => void writes.push(write) },
    store: {
      copy: async (_bucket: string, from: string, to: string) => {
        if (!existing.has(from)) throw new NotFoundError(`no ${from}`);
        copies.push([from, to]);
      },
    },
  } as unknown as ApiDeps;
  return { deps, copies, writes };
}

const input = {
  deskId: 'support',
  to: { address: 'ann@customer.example', name: 'Ann' },
  cc: [],
  subject: 'Your invoice',
  body: 'Attached.',
};

describe('openTicketFromDesk with attachments', () => {
  it("copies each upload to the message's own key and mails that copy", async () => {
    const { deps, copies, writes } = fakeDeps(new Set([UPLOAD.key]));

    const ticket = await openTicketFromDesk(deps, AGENT, { ...input, attachments: [UPLOAD] });

    const write = writes[0]!;
    const stored = write.message.attachments[0]!;
    expect(copies).toEqual([[UPLOAD.key, stored.key]]);
    expect(stored.key).not.toBe(UPLOAD.key);
    expect(stored.key).toContain(ticket.id);
    expect(stored.key).toContain(write.message.id);
    expect(stored).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf', size: 1234, inline: false, cid: null });
    expect(write.deliveries.map((d) => d.content.attachments)).toEqual([[stored]]);
  });

  it('refuses an upload that is gone, naming it, and writes nothing', async () => {
    const { deps, writes } = fakeDeps(new Set());

    const opening = openTicketFromDesk(deps, AGENT, { ...input, attachments: [UPLOAD] });

    await expect(opening).rejects.toThrow(InvalidInputError);
    await expect(opening).rejects.toThrow(/attachments\.0\.key: the uploaded file is gone/);
    expect(writes).toEqual([]);
  });
});
