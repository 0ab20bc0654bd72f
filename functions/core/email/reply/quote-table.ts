// core: the reply extractor's table: quote headers, separators and footers by language; quote containers by client
//
// Everything the extractor recognises is a row here; patterns.ts and html-to-text.ts compile the rows once.
// Add a language or a client by adding a row, and a sample reply in its format to test/fixtures/replies.

/** Kinds of field in a client-written header block (Outlook "From:/Sent:/To:/Subject:" and its translations). */
export type HeaderFieldKind = 'from' | 'date' | 'to' | 'cc' | 'subject';

/** What one language's mail clients write around a quoted message. All words are matched case-insensitively. */
export interface LanguageRow {
  readonly language: string;
  /** Words that open a quote header: "On" in "On <date>, <name> wrote:". */
  readonly openers: readonly string[];
  /** Verbs that end one ("… wrote:"); the author may follow the verb ("… schrieb Max <max@x>:"). */
  readonly wrote: readonly string[];
  /**
   * Verbs of headers that start with the sender and put the date after the verb, which Gmail wraps over two
   * lines: "Max <max@x> schrieb am Fr., 28." / "März 2025 um 11:53 Uhr:".
   */
  readonly senderFirst: readonly string[];
  /** Names of the fields of a header block, by field. */
  readonly fields: Readonly<Partial<Record<HeaderFieldKind, readonly string[]>>>;
  /** Phrases of an original- or forwarded-message separator ("-----Original Message-----", "Begin forwarded message:"). */
  readonly separators: readonly string[];
  /** Whole-line footers mail apps put under the reply, as regular-expression sources without anchors. */
  readonly footers: readonly string[];
}

/** An HTML element a client uses around quoted text, a signature or the original message. */
export type HtmlMarker =
  | { readonly class: string }
  | { readonly id: string }
  | { readonly idPrefix: string }
  /** An attribute value, on any element or only on `tag`. */
  | { readonly attribute: string; readonly value: string; readonly tag?: string }
  /** A substring of a `div`'s or `p`'s `style`, with whitespace removed and lower-cased. */
  | { readonly style: string };

/** How one mail client marks quotes. */
export interface ClientRow {
  readonly client: string;
  /** The plain-text formats it writes (the language rows supply the words). */
  readonly formats: readonly string[];
  /** Elements holding the quoted message: replaced by a quote marker. */
  readonly quote: readonly HtmlMarker[];
  /** Elements starting the original message: they and everything after them are dropped. */
  readonly cut: readonly HtmlMarker[];
  /** Signature and caption elements: dropped on their own. */
  readonly skip: readonly HtmlMarker[];
}

// A footer's free part: a device or app name, not a sentence (no sentence punctuation, bounded).
const NAME = '[^,;!?]{1,60}';

export const LANGUAGE_ROWS: readonly LanguageRow[] = [
  {
    language: 'English',
    openers: ['on'],
    wrote: ['wrote', 'writes', 'has written'],
    senderFirst: [],
    fields: {
      from: ['from'],
      date: ['sent', 'date', 'sent by'],
      to: ['to', 'reply-to'],
      cc: ['cc', 'bcc'],
      subject: ['subject'],
    },
    separators: ['original message', 'forwarded message', 'begin forwarded message'],
    footers: [
      `sent from my ${NAME}`,
      `sent from ${NAME}`,
      `sent via ${NAME}`,
      `sent with ${NAME}`,
      `sent using ${NAME}`,
      `get outlook for ${NAME}`,
      '(?:sent )?via mobile',
    ],
  },
  {
    language: 'German',
    openers: ['am'],
    wrote: ['schrieb', 'hat geschrieben', 'folgendes geschrieben'],
    senderFirst: ['schrieb am'],
    fields: { from: ['von'], date: ['gesendet', 'datum'], to: ['an'], cc: ['kopie'], subject: ['betreff'] },
    separators: ['ursprüngliche nachricht', 'originalnachricht', 'weitergeleitete nachricht', 'anfang der weitergeleiteten nachricht'],
    footers: [`von meinem ${NAME}`, `gesendet von ${NAME}`, `gesendet mit ${NAME}`, 'outlook für (?:ios|android) beziehen'],
  },
  {
    language: 'French',
    openers: ['le'],
    wrote: ['a écrit', 'a ecrit'],
    senderFirst: [],
    fields: { from: ['de', 'expéditeur'], date: ['envoyé', 'date'], to: ['à', 'a'], cc: ['cc'], subject: ['objet'] },
    separators: [
      "message d'origine",
      'message d’origine',
      'message transféré',
      'message original',
      'début du message réexpédié',
      'début du message transféré',
    ],
    footers: [`envoyé de mon ${NAME}`, `envoyé depuis ${NAME}`, `envoyé avec ${NAME}`, 'obtenir outlook pour (?:ios|android)'],
  },
  {
    language: 'Spanish',
    openers: ['el', 'el día'],
    wrote: ['escribió', 'escribio'],
    senderFirst: [],
    fields: { from: ['de'], date: ['enviado', 'enviada', 'fecha'], to: ['para'], cc: ['cc'], subject: ['asunto'] },
    separators: ['mensaje original', 'mensaje reenviado', 'inicio del mensaje reenviado'],
    footers: [`enviado desde ${NAME}`, `enviado con ${NAME}`, 'obtener outlook para (?:ios|android)'],
  },
  {
    language: 'Italian',
    openers: ['il', 'il giorno'],
    wrote: ['ha scritto'],
    senderFirst: [],
    fields: { from: ['da'], date: ['inviato', 'data'], to: ['a'], cc: ['cc'], subject: ['oggetto'] },
    separators: ['messaggio originale', 'messaggio inoltrato', 'inizio messaggio inoltrato'],
    footers: [`inviato da ${NAME}`, `inviato dal ${NAME}`, 'scarica outlook per (?:ios|android)'],
  },
  {
    language: 'Dutch',
    openers: ['op'],
    wrote: ['schreef', 'het volgende'],
    senderFirst: [],
    fields: { from: ['van', 'afzender'], date: ['verzonden', 'verstuurd', 'datum'], to: ['aan'], cc: ['cc'], subject: ['onderwerp'] },
    separators: ['oorspronkelijk bericht', 'origineel bericht', 'doorgestuurd bericht', 'begin doorgestuurd bericht'],
    footers: [
      `verzonden vanaf ${NAME}`,
      `verstuurd vanaf ${NAME}`,
      `verzonden met ${NAME}`,
      `verstuurd met ${NAME}`,
      'outlook voor (?:ios|android) downloaden',
    ],
  },
  {
    language: 'Portuguese',
    openers: ['em'],
    wrote: ['escreveu'],
    senderFirst: [],
    fields: { from: ['de', 'remetente'], date: ['enviado', 'enviada', 'data'], to: ['para'], cc: ['cc'], subject: ['assunto'] },
    separators: ['mensagem original', 'mensagem encaminhada', 'início da mensagem reencaminhada', 'início da mensagem encaminhada'],
    footers: [`enviado do ${NAME}`, `enviado de ${NAME}`, 'obter o outlook para (?:ios|android)'],
  },
  {
    language: 'Swedish',
    openers: ['den', 'på'],
    wrote: ['skrev'],
    senderFirst: [],
    fields: { from: ['från'], date: ['skickat', 'datum'], to: ['till'], cc: ['kopia'], subject: ['ämne'] },
    separators: ['ursprungligt meddelande', 'originalmeddelande', 'vidarebefordrat meddelande', 'vidarebefordrat mejl'],
    footers: [`skickat från ${NAME}`, 'skaffa outlook för (?:ios|android)'],
  },
  {
    language: 'Polish',
    openers: ['w dniu', 'dnia'],
    // Apple Mail: "Wiadomość napisana przez <name> w dniu <date>:".
    wrote: ['napisał', 'napisała', 'napisal', 'pisze', 'napisana przez'],
    senderFirst: [],
    fields: { from: ['od'], date: ['wysłano', 'wysłane', 'data'], to: ['do'], cc: ['kopia'], subject: ['temat'] },
    separators: ['wiadomość oryginalna', 'oryginalna wiadomość', 'przekazana wiadomość', 'początek przekazywanej wiadomości'],
    footers: [`wysłane z ${NAME}`, `wysłano z ${NAME}`, 'pobierz aplikację outlook dla systemu (?:ios|android)'],
  },
  {
    language: 'Russian',
    openers: ['в', 'во'],
    wrote: ['написал', 'написала', 'пишет'],
    senderFirst: [],
    fields: { from: ['от'], date: ['отправлено', 'дата'], to: ['кому'], cc: ['копия'], subject: ['тема'] },
    separators: ['исходное сообщение', 'пересылаемое сообщение', 'переслано', 'начало переадресованного сообщения'],
    footers: [`отправлено с ${NAME}`, `отправлено из ${NAME}`, 'загрузите outlook для (?:ios|android)'],
  },
  {
    language: 'Japanese',
    openers: [],
    wrote: ['書きました', 'のメッセージ', 'のメール'],
    senderFirst: [],
    fields: { from: ['差出人'], date: ['送信日時', '日付'], to: ['宛先'], subject: ['件名'] },
    separators: ['元のメッセージ', '転送されたメッセージ', '転送メッセージ'],
    footers: ['[^,;!?]{1,40}から送信', '(?:ios|android) 版 outlook を入手'],
  },
  {
    language: 'Chinese',
    openers: ['在', '於', '于'],
    wrote: ['写道', '寫道', '撰写', '撰寫'],
    senderFirst: [],
    fields: {
      from: ['发件人', '寄件者', '發件人'],
      date: ['发送时间', '日期', '傳送時間'],
      to: ['收件人', '收件者'],
      cc: ['抄送', '副本'],
      subject: ['主题', '主旨'],
    },
    separators: ['原始邮件', '原始郵件', '原始信息', '转发的邮件', '轉寄郵件', '以下是转发的邮件'],
    footers: ['从我的[^,;!?]{1,30}发送', '发自我的[^,;!?]{1,30}', '获取 outlook for (?:ios|android)'],
  },
  {
    // Languages beyond the twelve the samples cover, kept so their replies still separate.
    language: 'Other',
    openers: ['dne', 'pe', 'pada', 'tanggal', 'vào'],
    wrote: ['skrev', 'napsal', 'napsala', 'kirjoitti', 'yazdı', 'írta', 'έγραψε', '님이 작성'],
    senderFirst: [],
    fields: {
      from: ['fra', 'lähettäjä', 'kimden', 'feladó'],
      date: ['sendt', 'lähetetty', 'päivämäärä', 'odesláno', 'gönderildi', 'tarih', 'elküldve'],
      to: ['til', 'vastaanottaja', 'komu', 'kime', 'címzett'],
      cc: ['kopio', 'kópia'],
      subject: ['emne', 'aihe', 'předmět', 'konu', 'tárgy'],
    },
    separators: [
      'oprindelig meddelelse',
      'videresendt meddelelse',
      'opprinnelig melding',
      'alkuperäinen viesti',
      'välitetty viesti',
      'původní zpráva',
      'přeposlaná zpráva',
      'orijinal mesaj',
      'iletilen mesaj',
    ],
    footers: [`sendt fra ${NAME}`, `lähetetty ${NAME}`, `gönderen ${NAME}`],
  },
];

export const CLIENT_ROWS: readonly ClientRow[] = [
  {
    client: 'Gmail',
    formats: [
      'On <date>, <name> <address> wrote: (wrapped at 76 characters in the text part)',
      '<name> <address> schrieb am <date>: (sender first, wrapped)',
      '---------- Forwarded message ---------',
    ],
    quote: [{ class: 'gmail_quote' }, { class: 'gmail_quote_container' }],
    cut: [],
    skip: [{ class: 'gmail_signature' }, { attribute: 'data-smartmail', value: 'gmail_signature' }],
  },
  {
    client: 'Outlook',
    formats: ['________________________________ then From:/Sent:/To:/Subject:', '-----Original Message-----', 'Get Outlook for iOS'],
    quote: [],
    cut: [
      { id: 'divrplyfwdmsg' },
      { id: 'appendonsend' },
      { idPrefix: 'olk_src_body_section' },
      { id: 'mail-editor-reference-message-container' },
      { class: 'outlookmessageheader' },
      // Outlook desktop draws the original's header in a box with one of these exact top borders.
      { style: 'border-top:solid#b5c4df' },
      { style: 'border-top:solid#e1e1e1' },
      // Outlook Express and Windows Mail put a rule with this id above the original.
      { id: 'stopspelling' },
    ],
    skip: [{ attribute: 'data-signatureblock', value: 'true' }],
  },
  {
    client: 'Apple Mail',
    formats: ['> On <date>, at <time>, <name> <address> wrote: (inside the quote)', 'Begin forwarded message:'],
    quote: [{ attribute: 'type', value: 'cite', tag: 'blockquote' }],
    cut: [],
    skip: [],
  },
  {
    client: 'Thunderbird',
    formats: ['On <date> <time>, <name> wrote:', '-------- Forwarded Message --------'],
    quote: [{ attribute: 'type', value: 'cite', tag: 'blockquote' }],
    cut: [],
    skip: [{ class: 'moz-signature' }, { class: 'moz-cite-prefix' }],
  },
  {
    client: 'Yahoo',
    formats: ['On <weekday>, <date>, <time> <zone>, <name> <address> wrote: (original indented)', '----- Forwarded Message -----'],
    quote: [{ class: 'yahoo_quoted' }],
    cut: [],
    skip: [],
  },
  {
    client: 'Zoho',
    formats: ['---- On <date> <name> <address> wrote ----', '============ Forwarded message ============'],
    quote: [{ class: 'zmail_extra' }],
    cut: [],
    skip: [],
  },
  {
    client: 'Mobile',
    formats: [
      'Sent from my iPhone, then the Apple Mail header',
      'Get Outlook for iOS, then the Outlook block',
      '-------- Original message -------- (Samsung Email)',
    ],
    quote: [],
    cut: [],
    skip: [],
  },
  {
    client: 'Other webmail',
    formats: ['Proton Mail, Zimbra, Fastmail quote containers'],
    quote: [{ class: 'protonmail_quote' }, { attribute: 'data-marker', value: '__QUOTED_TEXT__' }],
    // Zimbra puts a rule with this id above the original.
    cut: [{ id: 'zwchr' }],
    skip: [],
  },
];
