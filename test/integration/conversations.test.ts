// Conversations on real servers: a participant's emailed reply reaches the others exactly once, people Cc'd on a
// later reply join the ticket with the notice once, and nothing untrusted is relayed or adds anyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMail, header, plainMail, sesStoredMail } from '../support/mail';
import { sentMessageId, startRuntimeHarness, type RuntimeHarness, type SentMail } from '../support/runtime-harness';
import { getTicket, uniqueCustomer } from '../support/shared-desk';

interface TicketJson {
  id: string;
  number: number;
  participants: { address: string; role: string }[];
  messages: { id: string; from: { address: string }; held: boolean; reply: string; direction: string }[];
  deliveries: { kind: string; recipient: { address: string }; status: string }[];
}

let h: RuntimeHarness;
beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'conversations' });
});
afterAll(() => h.stop());

const person = uniqueCustomer;
const ticketOf = (id: string) => getTicket<TicketJson>(h, id);

const sentTo = (address: string): SentMail[] => h.sent.filter((s) => s.to === address);

/** Ann opens a ticket with Bob in Cc and the agent answers both; returns the ticket and what each received. */
async function answeredTicket(subject: string) {
  const ann = person('ann');
  const bob = person('bob');
  const opened = await h.receive(
    plainMail({ from: `Ann <${ann}>`, cc: `Bob <${bob}>`, subject, messageId: `<${uniqueCustomer('first')}>` }),
  );
  expect(opened.outcome).toBe('ticket-created');
  const ticketId = opened.ticketId!;
  const answer = await h.call('POST', `/api/tickets/${ticketId}/messages`, {
    body: { body: 'Please try **turning it off**.', internal: false },
  });
  expect(answer.status).toBe(201);
  await h.settled();
  const answerToBob = sentTo(bob).at(-1)!;
  return { ann, bob, ticketId, answerToBob };
}

/** Bob's reply to the agent's answer, as his mail client writes it: to the Reply-To, In-Reply-To the answer. */
function replyOf(from: string, answer: SentMail, body: string, extra: { cc?: string; subject?: string } = {}): string {
  return plainMail({
    from,
    to: header(answer.raw, 'Reply-To')!,
    cc: extra.cc,
    subject: extra.subject ?? `Re: ${header(answer.raw, 'Subject')!}`,
    inReplyTo: sentMessageId(answer.raw),
    body,
  });
}

describe('relay: a participant emails, everyone else on the ticket reads it', () => {
  it("sends Bob's email reply to Ann exactly once and to Bob not at all, also when the S3 event and the stream records come again", async () => {
    const { ann, bob, ticketId, answerToBob } = await answeredTicket('Printer on fire');
    const annBefore = sentTo(ann).length;
    const bobBefore = sentTo(bob).length;

    const { key, results } = await h.deliver(
      replyOf(`Bob <${bob}>`, answerToBob, 'It is still burning.\n\nOn Monday the desk wrote:\n> Please try'),
    );
    expect(results[0]).toMatchObject({ outcome: 'reply-added', ticketId });
    await h.settled();
    // At least once: the same S3 event, then every stream batch notify saw, delivered again.
    expect((await h.ingest(h.event(key)))[0]).toMatchObject({ outcome: 'duplicate' });
    await h.settled();
    for (const event of [...h.events]) await h.notify(event);

    const relays = sentTo(ann).slice(annBefore);
    expect(relays).toHaveLength(1);
    expect(sentTo(bob).slice(bobBefore)).toHaveLength(0);
    const raw = relays[0]!.raw;
    const detail = await ticketOf(ticketId);
    const bobsMessage = detail.messages.find((m) => m.from.address === bob)!;
    expect(bobsMessage.reply).toBe('It is still burning.');
    // Threading: the relay answers Bob's mail and chains the ticket's thread; its Reply-To carries a fresh token.
    const inReplyTo = header(raw, 'In-Reply-To')!;
    expect(header(raw, 'References')).toContain(`<first-`);
    expect(header(raw, 'References')).toContain(inReplyTo);
    expect(header(raw, 'Subject')).toMatch(new RegExp(`^Re: Printer on fire \\[#${detail.number}\\]$`));
    expect(header(raw, 'Reply-To')).toMatch(/^support\+[a-z0-9]+@desk\.localhost$/);
    expect(header(raw, 'Reply-To')).not.toBe(header(answerToBob.raw, 'Reply-To'));
    expect(header(raw, 'From')).toMatch(/Bob via Support/);
    expect(header(raw, 'List-Unsubscribe')).toMatch(/^<http/);
    expect(raw).toContain('It is still burning.');
    expect(raw).not.toContain('On Monday the desk wrote');
    expect(detail.deliveries.filter((d) => d.kind === 'relay')).toMatchObject([{ recipient: { address: ann }, status: 'sent' }]);
  });

  it("relays Ann's reply to Bob, and a reply Ann sends to a relay threads back into the same ticket", async () => {
    const { ann, bob, ticketId, answerToBob } = await answeredTicket('Two-way relay');
    await h.receive(replyOf(bob, answerToBob, 'Bob here.'));
    await h.settled();
    const relayToAnn = sentTo(ann).at(-1)!;
    expect(relayToAnn.raw).toContain('Bob here.');
    const bobBefore = sentTo(bob).length;

    const result = await h.receive(replyOf(ann, relayToAnn, 'Ann answers Bob.'));
    await h.settled();

    expect(result).toMatchObject({ outcome: 'reply-added', ticketId });
    expect(
      sentTo(bob)
        .slice(bobBefore)
        .map((m) => m.raw.includes('Ann answers Bob.')),
    ).toEqual([true]);
  });

  it('relays nothing from a held message, nor from a stranger who uses a forwarded reply token', async () => {
    const { ann, bob, ticketId, answerToBob } = await answeredTicket('Nothing for strangers');
    const mallory = person('mallory');
    const before = h.sent.length;

    // Mallory quotes the thread's Message-ID: held for an agent.
    const held = await h.receive(
      plainMail({ from: mallory, subject: 'Re: Nothing for strangers', inReplyTo: sentMessageId(answerToBob.raw), body: 'Pay here' }),
    );
    // Bob forwarded our answer to Mallory, whose reply carries Bob's valid token: threaded, but neither relayed nor adding anyone.
    const tokened = await h.receive(replyOf(mallory, answerToBob, 'I am new here', { cc: person('eve') }));
    await h.settled();

    expect(held).toMatchObject({ outcome: 'held', ticketId });
    expect(tokened).toMatchObject({ outcome: 'reply-added', ticketId });
    // Nothing reaches anyone outside the team; the team hears only that a held message awaits review.
    const fresh = h.sent.slice(before);
    const team = h.config.team.map((m) => m.email);
    expect(fresh.filter((m) => !team.includes(m.to))).toEqual([]);
    expect(fresh.map((m) => m.raw)).toEqual([expect.stringContaining('A held message awaits review')]);
    expect(fresh.filter((m) => /Pay here|I am new here/.test(m.raw))).toEqual([]);
    const detail = await ticketOf(ticketId);
    expect(detail.participants.map((p) => p.address).sort()).toEqual([ann, bob].sort());
    expect(detail.deliveries.filter((d) => d.kind === 'relay')).toEqual([]);
  });

  it('relays no auto-reply from a participant', async () => {
    const { ann, bob, answerToBob } = await answeredTicket('Toner empty');
    const before = sentTo(ann).length;
    const reply = replyOf(bob, answerToBob, 'I am away until Monday.').replace(
      'MIME-Version',
      'Auto-Submitted: auto-replied\r\nMIME-Version',
    );
    await h.receive(reply);
    await h.settled();
    expect(sentTo(ann).slice(before)).toEqual([]);
  });
});

describe("people Cc'd on the first mail", () => {
  it('get the participant notice once when SES authenticated the sender, also when the S3 event comes again', async () => {
    const ann = person('ann');
    const bob = person('bob');
    const { key, results } = await h.deliver(
      sesStoredMail(plainMail({ from: `Ann <${ann}>`, cc: `Bob <${bob}>`, subject: 'Cc first' }), {
        spf: 'pass',
        dkim: 'pass',
        dmarc: 'pass',
      }),
    );
    await h.settled();
    await h.ingest(h.event(key));
    for (const event of [...h.events]) await h.notify(event);
    await h.settled();

    expect(results[0]).toMatchObject({ outcome: 'ticket-created' });
    const toBob = sentTo(bob);
    expect(toBob).toHaveLength(1);
    expect(toBob[0]!.raw).toContain('You have been added to ticket');
    expect(header(toBob[0]!.raw, 'Reply-To')).toMatch(/^support\+/);
    expect(sentTo(ann).map((m) => header(m.raw, 'Auto-Submitted'))).toEqual(['auto-replied']);
  });

  it("sends no notice for a first mail SES did not authenticate: a stranger's Cc list is not the desk's to write to", async () => {
    const bob = person('bob');
    const unverified = await h.receive(plainMail({ from: person('ann'), cc: bob, subject: 'Cc unverified' }));
    const spoofed = await h.receive(
      sesStoredMail(plainMail({ from: person('ann'), cc: bob, subject: 'Cc spoofed' }), { spf: 'fail', dkim: 'fail', dmarc: 'fail' }),
    );
    await h.settled();

    expect([unverified.outcome, spoofed.outcome]).toEqual(['ticket-created', 'ticket-created']);
    expect((await ticketOf(unverified.ticketId!)).participants.map((p) => p.address)).toContain(bob);
    expect(sentTo(bob)).toEqual([]);
  });
});

describe("people Cc'd on a later reply", () => {
  it('become participants and get the participant notice once (also on redelivery), and are not relayed the mail they have', async () => {
    const { ann, bob, ticketId, answerToBob } = await answeredTicket('Cc later');
    const carol = person('carol');

    const { key } = await h.deliver(replyOf(bob, answerToBob, 'Adding Carol, she knows the printer.', { cc: `Carol <${carol}>` }));
    await h.settled();
    await h.ingest(h.event(key));
    for (const event of [...h.events]) await h.notify(event);
    await h.settled();

    const detail = await ticketOf(ticketId);
    expect(detail.participants.find((p) => p.address === carol)).toMatchObject({ role: 'cc' });
    const toCarol = sentTo(carol);
    expect(toCarol).toHaveLength(1);
    expect(toCarol[0]!.raw).toContain('You have been added to ticket');
    expect(header(toCarol[0]!.raw, 'Reply-To')).toMatch(/^support\+/);
    expect(detail.deliveries.filter((d) => d.recipient.address === carol).map((d) => d.kind)).toEqual(['participant-added']);
    // Ann gets Bob's words relayed; Carol, who was in Cc, only the notice.
    expect(sentTo(ann).at(-1)!.raw).toContain('Adding Carol');

    // Carol answers the notice: her reply threads and reaches Ann and Bob.
    const annBefore = sentTo(ann).length;
    await h.receive(replyOf(carol, toCarol[0]!, 'Carol: unplug it.'));
    await h.settled();
    expect(
      sentTo(ann)
        .slice(annBefore)
        .filter((m) => m.raw.includes('Carol: unplug it.')),
    ).toHaveLength(1);
    expect(sentTo(bob).filter((m) => m.raw.includes('Carol: unplug it.'))).toHaveLength(1);
  });

  it('adds nobody from a held message', async () => {
    const { ticketId, answerToBob } = await answeredTicket('Cc from a stranger');
    const carol = person('carol');
    const held = await h.receive(
      plainMail({ from: person('mallory'), cc: carol, subject: 'Re: Cc from a stranger', inReplyTo: sentMessageId(answerToBob.raw) }),
    );
    await h.settled();
    expect(held.outcome).toBe('held');
    expect((await ticketOf(ticketId)).participants.map((p) => p.address)).not.toContain(carol);
    expect(sentTo(carol)).toEqual([]);
  });
});

describe('desk settings', () => {
  it('relay off and ccOnReplies ignore: a reply reaches only the team', async () => {
    const own = await startRuntimeHarness({ name: 'conversations-off' });
    try {
      const settings = await own.call<Record<string, unknown>>('GET', '/api/settings/support');
      const saved = await own.call('PUT', '/api/settings/support', { body: { ...settings.json, relay: false, ccOnReplies: 'ignore' } });
      expect(saved.status).toBe(200);
      const ann = person('ann');
      const bob = person('bob');
      const carol = person('carol');
      const opened = await own.receive(plainMail({ from: ann, cc: bob, subject: 'Quiet desk' }));
      await own.call('POST', `/api/tickets/${opened.ticketId}/messages`, { body: { body: 'Hello both', internal: false } });
      await own.settled();
      const answer = own.sent.filter((s) => s.to === bob).at(-1)!;
      const before = own.sent.length;

      const raw = await composeMail({
        from: bob,
        to: header(answer.raw, 'Reply-To')!,
        cc: carol,
        subject: 'Re: Quiet desk',
        inReplyTo: sentMessageId(answer.raw),
        text: 'Only the team reads this.',
      });
      expect(await own.receive(raw)).toMatchObject({ outcome: 'reply-added' });
      await own.settled();

      expect(own.sent.slice(before)).toEqual([]);
      const { json } = await own.call<TicketJson>('GET', `/api/tickets/${opened.ticketId}`);
      expect(json.participants.map((p) => p.address)).not.toContain(carol);
    } finally {
      await own.stop();
    }
  });
});

describe('tickets the desk opens', () => {
  it('POST /api/tickets opens a ticket to a customer, emails the first message, and the reply threads into it', async () => {
    const ann = person('ann');
    const bob = person('bob');
    const subject = `Your replacement printer ${Date.now().toString(36)}`;

    const created = await h.call<{ id: string; number: number; status: string; assignee: string; requester: { address: string } }>(
      'POST',
      '/api/tickets',
      { body: { deskId: 'support', to: { address: ann, name: 'Ann' }, cc: [bob], subject, body: 'It ships **today**.' } },
    );
    await h.settled();

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'pending', assignee: h.config.team[0]!.email, requester: { address: ann, name: 'Ann' } });
    const detail = await ticketOf(created.json.id);
    expect(detail.participants.map((p) => [p.address, p.role])).toEqual([
      [ann, 'requester'],
      [bob, 'cc'],
    ]);
    expect(detail.messages.map((m) => m.direction)).toEqual(['outbound']);
    const first = sentTo(ann);
    expect(first).toHaveLength(1);
    expect(sentTo(bob)).toHaveLength(1);
    expect(header(first[0]!.raw, 'Subject')).toBe(`${subject} [#${created.json.number}]`);
    expect(header(first[0]!.raw, 'In-Reply-To')).toBeNull();
    expect(first[0]!.raw).toContain('It ships today.');

    const reply = await h.receive(replyOf(ann, first[0]!, 'Great, thanks!'));
    await h.settled();

    expect(reply).toMatchObject({ outcome: 'reply-added', ticketId: created.json.id });
    expect(await ticketOf(created.json.id)).toMatchObject({ status: 'open' });
    expect(sentTo(bob).at(-1)!.raw).toContain('Great, thanks!');
  });

  it('refuses a desk address as the customer, an unknown desk, and a missing subject, with the field named', async () => {
    const asDesk = await h.call('POST', '/api/tickets', {
      body: { deskId: 'support', to: 'support+x@desk.localhost', subject: 'Loop', body: 'x' },
    });
    expect(asDesk.status).toBe(400);
    expect(asDesk.json.error.message).toContain('desk address');
    const noDesk = await h.call('POST', '/api/tickets', { body: { deskId: 'nope', to: person('ann'), subject: 'Hi', body: 'x' } });
    expect(noDesk.status).toBe(400);
    expect(noDesk.json.error.message).toContain('deskId');
    const noSubject = await h.call('POST', '/api/tickets', { body: { deskId: 'support', to: person('ann'), subject: ' ', body: 'x' } });
    expect(noSubject.status).toBe(400);
    expect(noSubject.json.error.message).toContain('subject');
  });
});

describe('mail a team member forwards to the desk', () => {
  const agent = () => h.config.team[0]!;
  const PASS = { spf: 'pass', dkim: 'pass', dmarc: 'pass' } as const;

  it("opens a ticket for the original sender with the agent recorded, acknowledges nobody, and the customer's answer threads in", async () => {
    const ann = person('ann');
    const forward = plainMail({
      from: `${agent().name} <${agent().email}>`,
      subject: 'Fwd: Printer on fire',
      body: `Can you take this?\n\n---------- Forwarded message ---------\nFrom: Ann <${ann}>\nDate: Mon, 2 Nov 2026 at 10:00\nSubject: Printer on fire\nTo: <${agent().email}>\n\nIt is on fire.`,
    });

    // Earlier tests' new tickets notified the team: only what this forward sends counts.
    const agentBefore = sentTo(agent().email).length;
    const { key, results } = await h.deliver(sesStoredMail(forward, PASS));
    await h.settled();
    await h.ingest(h.event(key));
    await h.settled();

    expect(results[0]).toMatchObject({ outcome: 'ticket-created' });
    const ticketId = results[0]!.ticketId!;
    const detail = await getTicket<
      TicketJson & {
        requester: { address: string };
        subject: string;
        messages: { forwardedBy?: { address: string }; notices?: string[] }[];
      }
    >(h, ticketId);
    expect(detail).toMatchObject({ requester: { address: ann }, subject: 'Printer on fire' });
    expect(detail.messages).toHaveLength(1);
    expect(detail.messages[0]).toMatchObject({ from: { address: ann }, reply: 'It is on fire.', forwardedBy: { address: agent().email } });
    expect(detail.messages[0]!.notices!.join(' ')).toContain('Forwarded into the desk by Ada Agent');
    expect(detail.messages[0]!.notices!.join(' ')).toContain('Can you take this?');
    expect(sentTo(ann)).toEqual([]);
    // Neither an acknowledgement nor a team notice of the new ticket: the agent forwarded it.
    expect(sentTo(agent().email).slice(agentBefore)).toEqual([]);

    const answer = await h.call('POST', `/api/tickets/${ticketId}/messages`, { body: { body: 'We are on it.', internal: false } });
    expect(answer.status).toBe(201);
    await h.settled();
    expect(sentTo(ann)).toHaveLength(1);
    const reply = await h.receive(replyOf(ann, sentTo(ann)[0]!, 'Thanks!'));
    expect(reply).toMatchObject({ outcome: 'reply-added', ticketId });
  });

  it('reads an original attached as message/rfc822 (mailparser renders it into the text), with its own attachments', async () => {
    const bea = person('bea');
    const original = await composeMail({
      from: `Bea <${bea}>`,
      to: 'agent-inbox@example.com',
      subject: 'Invoice wrong',
      text: 'The invoice says 12, we ordered 10.',
      attachments: [{ filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4 invoice'), contentType: 'application/pdf' }],
    });
    const forward = await composeMail({
      from: `${agent().name} <${agent().email}>`,
      to: 'support@desk.localhost',
      subject: 'Fwd: Invoice wrong',
      text: 'See attached.',
      attachments: [{ filename: 'Invoice wrong.eml', content: original, contentType: 'message/rfc822' }],
    });

    const result = await h.receive(sesStoredMail(forward, PASS));
    await h.settled();

    expect(result.outcome).toBe('ticket-created');
    const detail = await getTicket<{
      requester: { address: string };
      subject: string;
      messages: { reply: string; attachments: { filename: string }[] }[];
    }>(h, result.ticketId!);
    expect(detail).toMatchObject({ requester: { address: bea }, subject: 'Invoice wrong' });
    expect(detail.messages[0]!.reply).toBe('The invoice says 12, we ordered 10.');
    expect(detail.messages[0]!.attachments.map((a) => a.filename)).toEqual(['invoice.pdf']);
    expect(sentTo(bea)).toEqual([]);
  });

  it("files a forward SES did not authenticate as the sender's own mail: a forged team From opens no ticket in a customer's name", async () => {
    const victim = person('victim');
    const forged = () =>
      plainMail({
        from: agent().email,
        subject: 'Fwd: Close my account',
        body: `---------- Forwarded message ---------\nFrom: <${victim}>\nSubject: Close my account\n\nPlease close it.`,
      });

    const result = await h.receive(sesStoredMail(forged(), { spf: 'fail', dkim: 'fail', dmarc: 'fail' }));
    const unverified = await h.receive(forged());
    await h.settled();

    for (const r of [result, unverified]) {
      expect(r.outcome).toBe('ticket-created');
      expect((await getTicket<{ requester: { address: string } }>(h, r.ticketId!)).requester.address).toBe(agent().email);
    }
    expect(sentTo(victim)).toEqual([]);
  });
});
