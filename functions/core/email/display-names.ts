// core: names from mail made safe to show: no bidirectional controls that reorder what an agent reads

/**
 * Unicode bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the marks
 * (U+200E, U+200F, U+061C). `invoice\u202Efdp.exe` shows as `invoiceexe.pdf`: a program posing as a document.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * Replaces bidirectional controls with `_`, so a name shows in the order its characters are stored (the real extension
 * last). Used for attachment names wherever they are stored, shown or downloaded.
 * @example neutralizeBidi('invoice\u202Efdp.exe') // 'invoice_fdp.exe'
 */
export function neutralizeBidi(name: string): string {
  return name.replace(BIDI_CONTROLS, '_');
}
