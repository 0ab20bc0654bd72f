// core: one MIME pass before mailparser: finds the text parts and fixes charsets their bytes contradict
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Joiner, Rewriter, Splitter } from '@zone-eu/mailsplit';
import type { MimeNode, SplitterOptions } from '@zone-eu/mailsplit';
import iconv from 'iconv-lite';
import { chooseBodyCharset, isUtf7, sniffHtmlCharset } from './charset';

/** Text parts larger than this are passed through unexamined. */
const MAX_TEXT_PART_BYTES = 16 * 1024 * 1024;

export interface BodyRepair {
  /** The message to parse: rewritten when a charset was corrected, else the input itself. */
  readonly raw: Buffer;
  /** True when the message has a plain-text body part (not only HTML). */
  readonly hasTextPart: boolean;
  readonly warnings: string[];
}

function isBodyTextPart(node: MimeNode): boolean {
  const type = node.contentType || 'text/plain';
  return (type === 'text/plain' || type === 'text/html') && node.disposition !== 'attachment' && !node.filename;
}

function partLabel(node: MimeNode): string {
  return node.root ? 'the body' : `part ${Array.isArray(node.partNr) ? node.partNr.join('.') : '?'}`;
}

/**
 * Splits the message with mailsplit (the splitter mailparser itself uses), and rewrites the
 * Content-Type charset of text parts whose bytes are not in the declared charset (see
 * `chooseBodyCharset`). Rejects when the splitter does (head too large, too many parts).
 */
export async function repairBodyCharsets(raw: Buffer, options: SplitterOptions): Promise<BodyRepair> {
  const warnings: string[] = [];
  let hasTextPart = false;
  let changed = false;
  const rewriter = new Rewriter((node: MimeNode) => {
    const wanted = isBodyTextPart(node);
    if (wanted && (node.contentType || 'text/plain') === 'text/plain') hasTextPart = true;
    return wanted;
  });
  rewriter.on('node', ({ node, decoder, encoder }) => {
    let chunks: Buffer[] = [];
    let size = 0;
    decoder.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_TEXT_PART_BYTES) return void chunks.push(chunk);
      // Too big to judge: stream it through unchanged, earlier chunks first.
      for (const held of chunks) encoder.write(held);
      chunks = [];
      encoder.write(chunk);
    });
    decoder.on('end', () => {
      let bytes = Buffer.concat(chunks);
      if (size <= MAX_TEXT_PART_BYTES && isUtf7(node.charset || null)) {
        // mailparser leaves UTF-7 undecoded (+APY- for ö); it is safe to decode before our sanitiser.
        bytes = Buffer.from(iconv.decode(bytes, 'utf-7'), 'utf8');
        node.setCharset('utf-8');
        changed = true;
        warnings.push(`${partLabel(node)} is UTF-7; decoded`);
      } else if (size <= MAX_TEXT_PART_BYTES) {
        const declared = node.charset || null;
        const hint = node.contentType === 'text/html' ? sniffHtmlCharset(bytes) : null;
        const charset = chooseBodyCharset(bytes, declared, hint);
        if (charset) {
          node.setCharset(charset);
          changed = true;
          warnings.push(`${partLabel(node)} is declared ${declared ?? 'without a charset'} but is not; read as ${charset}`);
        }
      }
      encoder.end(bytes);
    });
  });
  const output: Buffer[] = [];
  await pipeline(Readable.from([raw]), new Splitter(options), rewriter, new Joiner(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) output.push(chunk);
  });
  return { raw: changed ? Buffer.concat(output) : raw, hasTextPart, warnings };
}
