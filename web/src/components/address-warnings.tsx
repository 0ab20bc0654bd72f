// web: the addresses of a ticket that mail cannot reach (a bounce or complaint), each clearable with a reason
import { useState } from 'preact/hooks';
import type { AddressState } from '../api/types';
import { fullTime } from '../lib/format';
import { AgentName } from './agent-name';

export interface AddressWarningsProps {
  readonly states: Readonly<Record<string, AddressState>>;
  /** Clears one address's state; resolves true when it was cleared. */
  readonly onClear: (address: string, reason: string) => Promise<boolean>;
}

/**
 * The "Email cannot reach" callout, with a Clear step per address that asks why (recorded on the ticket as a note and
 * in the address's history, which shows here when a later bounce blocks it again).
 */
export function AddressWarnings({ states, onClear }: AddressWarningsProps) {
  const [clearing, setClearing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const entries = Object.entries(states);
  if (entries.length === 0) return null;
  return (
    <div class="callout warn" role="note" aria-label="Address warnings">
      <strong>Email cannot reach:</strong>
      <ul>
        {entries.map(([address, state]) => (
          <li key={address}>
            <span class="address">{address}</span>: {state.state}
            {state.reason ? ` (${state.reason})` : ''}{' '}
            {clearing === address ? (
              <form
                class="clear-address"
                onSubmit={(event) => {
                  event.preventDefault();
                  void onClear(address, reason).then((cleared) => {
                    if (!cleared) return;
                    setClearing(null);
                    setReason('');
                  });
                }}
              >
                <label>
                  Why may {address} get mail again?
                  <input value={reason} required maxLength={500} onInput={(event) => setReason(event.currentTarget.value)} />
                </label>
                <button type="submit" class="small" disabled={reason.trim() === ''}>
                  Clear {state.state} state
                </button>{' '}
                <button type="button" class="small" onClick={() => setClearing(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <button
                type="button"
                class="small"
                onClick={() => setClearing(address)}
                aria-label={`Clear the ${state.state} state of ${address}`}
              >
                Clear…
              </button>
            )}
            {state.history && state.history.length > 0 && (
              <ul class="address-history" aria-label={`Earlier states of ${address}`}>
                {state.history.map((entry) => (
                  <li key={entry.clearedAt}>
                    {entry.state} {entry.reason ? `(${entry.reason}) ` : ''}cleared by <AgentName address={entry.clearedBy} /> on{' '}
                    <time dateTime={entry.clearedAt}>{fullTime(entry.clearedAt)}</time>: {entry.why}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
