// core: following a merged ticket to the ticket that holds its thread now (threading, search and the API alike)
import type { Ticket } from '../types';

/** Pointers followed at most (a merge target merged again, and so on); a loop stops there too. */
export const MAX_MERGE_HOPS = 5;

/** The ticket a merged ticket points to, after at most {@link MAX_MERGE_HOPS} hops; the ticket itself when not merged. */
export async function followMerges(load: (id: string) => Promise<Ticket | null>, ticket: Ticket): Promise<Ticket> {
  let current = ticket;
  for (let hop = 0; current.mergedInto && hop < MAX_MERGE_HOPS; hop += 1) {
    const next = await load(current.mergedInto);
    if (!next) return current;
    current = next;
  }
  return current;
}
