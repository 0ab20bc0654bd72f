// core: html-to-text as function bundles give it to mailparser, loaded with the first mail that needs it
import type { htmlToText as convert } from 'html-to-text';

// mailparser imports html-to-text at its top but calls it only for a message whose HTML has no text beside it.
// Function bundles (lib/constructs/function-bundle.ts) hand mailparser this module instead, so the converter and
// its HTML parser, selector engine and entity tables stay out of every cold start.

let converter: typeof convert | undefined;

/** Thrown to mailparser while html-to-text is not loaded yet; it records it as the message's textConversionError. */
export class HtmlToTextNotLoaded extends Error {
  constructor() {
    super('html-to-text is not loaded yet');
  }
}

/** Whether mailparser gave up converting HTML only because html-to-text was not loaded yet (in a bundle). */
export function needsHtmlToText(textConversionError: unknown): boolean {
  return textConversionError instanceof Error && textConversionError.cause instanceof HtmlToTextNotLoaded;
}

/** Loads html-to-text for {@link htmlToText}; shared by every caller. */
export async function loadHtmlToText(): Promise<void> {
  converter ??= (await import('html-to-text')).htmlToText;
}

/** html-to-text's `htmlToText`, synchronous as mailparser needs it; throws {@link HtmlToTextNotLoaded} until loaded. */
export const htmlToText: typeof convert = (html, options) => {
  if (!converter) throw new HtmlToTextNotLoaded();
  return converter(html, options);
};
