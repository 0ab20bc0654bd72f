// core: multilingual line tests for reply extraction (quote headers, separators, footers)
//
// Every regex here is anchored or bounded and free of nested quantifiers over overlapping classes,
// and callers only test lines up to MAX_PATTERN_LINE characters, so matching stays linear.

/** Lines longer than this are never headers, separators or footers (keeps matching cheap). */
export const MAX_PATTERN_LINE = 1000;

const INVISIBLE = /[\u200b-\u200f\u2060\ufeff]/g;

/** Trims a line and removes invisible marks (LRM, zero-width space) that HTML mail scatters around. */
export function cleanLine(line: string): string {
  return line.replace(INVISIBLE, '').trim();
}

/** True for a line quoted with `>` (any depth). */
export function isQuotedLine(line: string): boolean {
  return /^[ \t]*>/.test(line);
}

/** True for a line that is empty or only whitespace. */
export function isBlankLine(line: string): boolean {
  return line.trim() === '';
}

// Words that open a reply header, "On <date>, <name> wrote:" in many languages. A digit also opens
// one (date-first headers: "02.04.2012 14:20 …"), and so does a weekday followed by a day number.
const OPENER = /^(?:[-–—]{1,5}\s*)?(?:on|am|le|el|op|em|il|il giorno|den|dne|dnia|w dniu|på|pe|в|во|pada|tanggal|vào|el día)\s/iu;
const DATE_FIRST = /^(?:\d|\p{L}{2,12}\.?,?\s+\d{1,4}[\s.,/-])/u;
const CJK_OPENER = /^(?:在|於|于)/u;

/** True when a line can begin a reply header ("On", "Am", "Le", "Op", a date, …). */
export function isOpenerLine(line: string): boolean {
  const s = cleanLine(line);
  return OPENER.test(s) || DATE_FIRST.test(s) || CJK_OPENER.test(s);
}

// The verb that closes a reply header, optionally followed by the author ("schrieb Max <max@x>:").
const WROTE_END = new RegExp(
  '(?:wrote|writes|has written|schrieb|hat geschrieben|a écrit|a ecrit|escribió|escribio|' +
    'schreef|het volgende|escreveu|ha scritto|skrev|napisał|napisała|napisal|pisze|' +
    'написал|написала|пишет|napsal|napsala|kirjoitti|yazdı|írta|έγραψε|' +
    '写道|寫道|書きました|のメッセージ|님이 작성)' +
    '[^:：\\n]{0,120}[:：]$',
  'iu',
);

/** True when text ends like a reply header: "… wrote:", "… schrieb …:", "… a écrit :", "…写道：". */
export function endsWithWroteVerb(text: string): boolean {
  const s = cleanLine(text);
  if (!s.endsWith(':') && !s.endsWith('：')) return false;
  return WROTE_END.test(s);
}

const HAS_ADDRESS = /@[\w-]+\.\w/;
const HAS_DATE = /\d{1,2}:\d{2}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}\s*年|\d{1,2}\s+\p{L}{3,12}\.?\s+\d{4}/u;

/** True when text names an e-mail address or a date/time, as real reply headers do. */
export function hasAddressOrDate(text: string): boolean {
  return HAS_ADDRESS.test(text) || HAS_DATE.test(text);
}

/**
 * True for a verb-less header that names a date and an address and ends with a colon
 * ("26.06.2014, 14:41, "Alex" <a@example.com>:"). Weak on its own: callers also require a quote after it.
 */
export function isDatedAddressHeader(text: string): boolean {
  const s = cleanLine(text);
  if (s.length > 400 || (!s.endsWith(':') && !s.endsWith('：'))) return false;
  return HAS_ADDRESS.test(s) && HAS_DATE.test(s);
}

/** Kinds of field in a client-written header block (Outlook "From:/Sent:/To:/Subject:" and its translations). */
export type HeaderFieldKind = 'from' | 'date' | 'to' | 'cc' | 'subject';

const FIELD_NAMES: Record<HeaderFieldKind, string[]> = {
  from: [
    'from',
    'von',
    'de',
    'van',
    'da',
    'från',
    'fra',
    'od',
    'от',
    '差出人',
    '发件人',
    '寄件者',
    '發件人',
    'lähettäjä',
    'kimden',
    'feladó',
    'afzender',
    'remetente',
    'expéditeur',
  ],
  date: [
    'sent',
    'date',
    'gesendet',
    'datum',
    'envoyé',
    'enviado',
    'enviada',
    'fecha',
    'data',
    'verzonden',
    'verstuurd',
    'inviato',
    'skickat',
    'sendt',
    'wysłano',
    'wysłane',
    'отправлено',
    'дата',
    '送信日時',
    '日付',
    '发送时间',
    '日期',
    '傳送時間',
    'lähetetty',
    'päivämäärä',
    'odesláno',
    'gönderildi',
    'tarih',
    'elküldve',
    'sent by',
  ],
  to: [
    'to',
    'an',
    'à',
    'a',
    'para',
    'aan',
    'till',
    'til',
    'do',
    'кому',
    '宛先',
    '收件人',
    '收件者',
    'vastaanottaja',
    'komu',
    'kime',
    'címzett',
    'reply-to',
  ],
  cc: ['cc', 'bcc', 'kopie', 'kopia', 'копия', '抄送', '副本', 'kopio', 'kópia'],
  subject: [
    'subject',
    'betreff',
    'objet',
    'asunto',
    'assunto',
    'onderwerp',
    'oggetto',
    'ämne',
    'emne',
    'temat',
    'тема',
    '件名',
    '主题',
    '主旨',
    'aihe',
    'předmět',
    'konu',
    'tárgy',
  ],
};

const FIELD_KIND = new Map<string, HeaderFieldKind>();
for (const [kind, names] of Object.entries(FIELD_NAMES) as [HeaderFieldKind, string[]][]) {
  for (const name of names) FIELD_KIND.set(name, kind);
}

// "From:", "*From:*" (Outlook plain text renders bold as asterisks), "De :" (French spacing).
const FIELD_LINE = /^\*{0,2}([\p{L}][\p{L} -]{0,20}?)\*{0,2}\s?[:：]/u;

/** The header field a line starts with ("From: …" → 'from'), or null. */
export function headerFieldKind(line: string): HeaderFieldKind | null {
  const s = cleanLine(line);
  if (s.length > MAX_PATTERN_LINE) return null;
  const m = FIELD_LINE.exec(s);
  if (!m?.[1]) return null;
  return FIELD_KIND.get(m[1].trim().toLowerCase()) ?? null;
}

const FORWARD_PHRASES =
  'original message|forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|' +
  "message d'origine|message d’origine|message transféré|message original|mensaje original|" +
  'mensaje reenviado|mensagem original|mensagem encaminhada|oorspronkelijk bericht|origineel bericht|' +
  'doorgestuurd bericht|messaggio originale|messaggio inoltrato|ursprungligt meddelande|' +
  'vidarebefordrat meddelande|oprindelig meddelelse|videresendt meddelelse|opprinnelig melding|' +
  'wiadomość oryginalna|oryginalna wiadomość|przekazana wiadomość|исходное сообщение|' +
  'пересылаемое сообщение|переслано|元のメッセージ|転送されたメッセージ|原始邮件|转发的邮件|' +
  '原始郵件|轉寄郵件|alkuperäinen viesti|välitetty viesti|původní zpráva|přeposlaná zpráva|' +
  'orijinal mesaj|iletilen mesaj|begin forwarded message|anfang der weitergeleiteten nachricht|' +
  'début du message réexpédié|début du message transféré|inicio del mensaje reenviado|' +
  'início da mensagem reencaminhada|início da mensagem encaminhada';
const FORWARD_SEPARATOR = new RegExp(`^[-_=*~<>\\s]*(?:${FORWARD_PHRASES})[-_=*~<>:：\\s]*$`, 'iu');

/** True for "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:" etc. */
export function isForwardSeparator(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 200 && FORWARD_SEPARATOR.test(s);
}

/** True for a line made only of dashes, underscores, equals signs, asterisks or tildes (at least two). */
export function isRuleLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length >= 2 && s.length <= MAX_PATTERN_LINE && /^[-_=*~]+$/.test(s);
}

/** True for the conventional signature delimiter "-- " (RFC 3676) or a bare "--". */
export function isSignatureDelimiter(line: string): boolean {
  return /^--[ \t]*$/.test(line);
}

/** True for the unambiguous RFC 3676 delimiter "-- " (dash, dash, space). */
export function isStrictSignatureDelimiter(line: string): boolean {
  return /^-- $/.test(line.replace(/\r$/, ''));
}

/** True for a dashed name line such as "-Abhishek Kona" or "-- Tim". */
export function isDashNameLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 50 && /^(?:-|--\s?)\p{Lu}[\p{L}.' ]{0,40}$/u.test(s);
}

const MOBILE_PREFIX =
  /^(?:sent from my|sent from|sent via|sent with|sent using|get outlook for|von meinem|gesendet von|gesendet mit|envoyé de mon|envoyé depuis|envoyé avec|enviado desde|enviado do|enviado de|enviado con|verzonden vanaf|verstuurd vanaf|verzonden met|verstuurd met|inviato da|inviato dal|skickat från|sendt fra|lähetetty|wysłane z|wysłano z|отправлено с|отправлено из|gönderen)\s[^,;!?]{1,60}$/iu;
const MOBILE_SUFFIX = /^(?:[^,;!?]{1,40}から送信|从我的[^,;!?]{1,30}发送|发自我的[^,;!?]{1,30}|(?:sent )?via mobile)$/iu;

/** True for a mobile or client footer: "Sent from my iPhone", "Von meinem iPhone gesendet", "iPhoneから送信". */
export function isMobileFooter(line: string): boolean {
  const s = cleanLine(line);
  if (s.length > 100) return false;
  return MOBILE_PREFIX.test(s) || MOBILE_SUFFIX.test(s);
}

/** True for a line that is only a personal name: one to four capitalised words. */
export function isNameLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 40 && /^\p{Lu}[\p{L}.'-]*(?: \p{Lu}[\p{L}.'-]*){0,3}$/u.test(s);
}

const CONTACT = [
  /@[\w-]+\.\w/, // an e-mail address
  /(?:https?:\/\/|www\.)\S/i, // a web address
  /(?:^|\s)(?:tel|phone|mobile|mob|cell|fax|skype|t|m|f|p)\.?\s?:?\s?[+(]?\d/i, // labelled number
  /(?:^|\s)\+?\(?\d{1,4}\)?[\s.-]?\d{2,4}[\s.-]\d{3,4}(?:$|\s)/, // a phone number
];

/** True for a short line that carries contact details (address, URL, phone). */
export function isContactLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 80 && CONTACT.some((re) => re.test(s));
}
