// core: strict reading of the Date header (an unreadable date is null, never "now")

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 5322 obsolete zone names; military letters are treated as -0000 (unknown), as the RFC advises. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};
const RFC5322 =
  /(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]{0,6}\.?[\s-]+(\d{2,4}),?\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d{1,6})?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?/;
const ISO8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
  return ZONES[zone.toLowerCase()] ?? 0;
}

function fullYear(year: string): number {
  const value = Number(year);
  if (year.length === 2) return value < 50 ? 2000 + value : 1900 + value;
  if (year.length === 3) return 1900 + value;
  return value;
}

/**
 * Parses an RFC 5322 date (with the obsolete forms real mail uses) or an ISO 8601 one.
 * Returns null for anything else, including impossible dates such as 31 Feb.
 * @example parseMailDate('Thu, 13 Jun 2013 17:03:48 -0400') // 2013-06-13T21:03:48.000Z
 */
export function parseMailDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const text = value
    .replace(/\([^()]{0,200}\)/g, ' ')
    .trim()
    .slice(0, 200);
  if (ISO8601.test(text)) {
    const time = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(time) ? null : new Date(time);
  }
  const match = RFC5322.exec(text);
  if (!match) return null;
  const [, day, monthName, year, hour, minute, second, zone] = match;
  const month = MONTHS.indexOf((monthName ?? '').toLowerCase());
  const fields = { year: fullYear(year ?? ''), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second ?? 0) };
  if (month < 0 || fields.year < 1900 || fields.year > 2999 || fields.hour > 23 || fields.minute > 59 || fields.second > 60) return null;
  const utc = Date.UTC(fields.year, month, fields.day, fields.hour, fields.minute, Math.min(fields.second, 59));
  if (new Date(Date.UTC(fields.year, month, fields.day)).getUTCDate() !== fields.day) return null;
  return new Date(utc - zoneOffsetMinutes(zone) * 60_000);
}
