// test support: helpers for tests that share one runtime harness (and its outbox) across many tests
import { expect } from 'vitest';
import type { RuntimeHarness } from './runtime-harness';

let seq = 0;

/** A fresh customer address per call, so tests on a shared outbox and address items never see each other. */
export function uniqueCustomer(name: string): string {
  seq += 1;
  return `${name}-${Date.now().toString(36)}-${seq}@customer.example`;
}

/** `GET /api/tickets/{id}` through the harness, asserting 200; `T` is the shape the test reads. */
export async function getTicket<T>(h: RuntimeHarness, id: string): Promise<T> {
  const { status, json } = await h.call<T>('GET', `/api/tickets/${id}`);
  expect(status).toBe(200);
  return json;
}
