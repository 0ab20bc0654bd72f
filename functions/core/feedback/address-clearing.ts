// core: an agent clears an address's undeliverable or complained state (pure): who, when and why, kept as history

/** A state an address is in because of a bounce or complaint. */
export interface BlockedAddress {
  readonly state: string;
  readonly reason: string;
}

/** One line of an address's history: the state that was cleared, and who cleared it and why. */
export interface ClearedState {
  readonly state: string;
  readonly reason: string;
  readonly clearedBy: string;
  readonly clearedAt: string;
  readonly why: string;
}

/** States that stop mail to an address; only these can be cleared. */
export const BLOCKING_STATES = ['undeliverable', 'complained'] as const;

/**
 * The history entry that clearing records; the address item then has no state and mail to it goes out again (a new
 * bounce marks it again).
 * @returns null when the address is in no blocking state (nothing to clear).
 * @example clearedState({ state: 'undeliverable', reason: '5.1.1' }, 'ada@desk.example', 'customer fixed the mailbox', now)
 */
export function clearedState(current: BlockedAddress | undefined, agentEmail: string, why: string, at: string): ClearedState | null {
  if (!current || !(BLOCKING_STATES as readonly string[]).includes(current.state)) return null;
  return { state: current.state, reason: current.reason, clearedBy: agentEmail, clearedAt: at, why: why.trim().slice(0, 500) };
}
