// core: read per-recipient records out of RFC 3464 delivery-status fields
import { normaliseAddress } from './addresses';

export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | 'unknown';

/** One recipient a delivery report speaks about. */
export interface RecipientStatus {
  readonly address: string;
  readonly action: DeliveryAction;
  /** Enhanced status code (`5.1.1`), or null when the report gave none. */
  readonly status: string | null;
  /** Diagnostic text for this recipient, for the permanence decision. */
  readonly diagnostic: string;
}

const ACTIONS: readonly DeliveryAction[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];

/** Enhanced status code, RFC 3463. */
export const ENHANCED_STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

const FIELD_KEYS = new Map<string, keyof FieldRecord>([
  ['final-recipient', 'final'],
  ['original-recipient', 'original'],
  ['action', 'action'],
  ['status', 'status'],
  ['diagnostic-code', 'diagnostic'],
]);

interface FieldRecord {
  final?: string;
  original?: string;
  action?: string;
  status?: string;
  diagnostic?: string;
}

/** A line that can start a record: what the field pattern below reads as Final- or Original-Recipient. */
const RECIPIENT_FIELD = /^(?:final|original)-recipient[ \t]*:/im;

/** `rfc822; user@example.com` → the address; non-mail address types give null. */
function recipientValue(value: string): string | null {
  const semi = value.indexOf(';');
  const type = semi < 0 ? 'rfc822' : value.slice(0, semi).trim().toLowerCase();
  if (type !== 'rfc822' && type !== 'utf-8') return null;
  return normaliseAddress(semi < 0 ? value : value.slice(semi + 1));
}

function toAction(record: FieldRecord, status: string | null): DeliveryAction {
  const word = (record.action ?? '').trim().toLowerCase().split(/[\s(]/)[0] ?? '';
  const known = ACTIONS.find((a) => a === word);
  if (known) return known;
  // No usable Action field: the status class says what happened (RFC 3463: 2 success, 4 transient, 5 permanent).
  if (status?.startsWith('5')) return 'failed';
  if (status?.startsWith('4')) return 'delayed';
  if (status?.startsWith('2')) return 'delivered';
  return 'unknown';
}

function finish(record: FieldRecord, out: RecipientStatus[]): void {
  // Original-Recipient is the address as the desk wrote it, before forwarding or aliasing rewrote it.
  const address = (record.original && recipientValue(record.original)) || (record.final && recipientValue(record.final));
  if (!address) return;
  const statusMatch = ENHANCED_STATUS.exec(record.status ?? '') ?? ENHANCED_STATUS.exec(record.diagnostic ?? '');
  const status = statusMatch ? statusMatch[0] : null;
  out.push({ address, action: toAction(record, status), status, diagnostic: record.diagnostic ?? '' });
}

/**
 * Reads every per-recipient block (Final-Recipient / Original-Recipient with Action, Status,
 * Diagnostic-Code). Blocks are separated by blank lines, or by a repeated recipient field when a
 * sloppy MTA runs them together; fields must start a line, so a quoted (`> `) report is ignored.
 */
export function parseDeliveryStatus(text: string): RecipientStatus[] {
  // A record needs a recipient field; most texts read here (bodies of bounce-like mail) have none.
  if (!RECIPIENT_FIELD.test(text)) return [];
  const out: RecipientStatus[] = [];
  let record: FieldRecord = {};
  let lastField: keyof FieldRecord | null = null;
  const flush = (): void => {
    finish(record, out);
    record = {};
    lastField = null;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (lastField === 'diagnostic') record.diagnostic = `${record.diagnostic ?? ''} ${line.trim()}`;
      continue;
    }
    const field = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!field) {
      lastField = null;
      continue;
    }
    const name = (field[1] ?? '').toLowerCase();
    const value = (field[2] ?? '').trim();
    const key = FIELD_KEYS.get(name) ?? null;
    if (key && record[key] !== undefined && (key === 'final' || key === 'original' || key === 'action')) flush();
    if (key) record[key] = value;
    lastField = key;
  }
  flush();
  return out;
}
