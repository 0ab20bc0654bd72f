// core: one MIME pass before mailparser: finds the text parts and fixes charsets their bytes contradict
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Joiner, Rewriter, Splitter } from '@zone-eu/mailsplit';
import type { MimeNode, SplitterChunk, SplitterOptions } from '@zone-eu/mailsplit';
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

function isPlainTextBodyPart(node: MimeNode): boolean {
  return isBodyTextPart(node) && (node.contentType || 'text/plain') === 'text/plain';
}

/** The charset the repair relabels a text part with, given its decoded bytes; null to leave it. */
function correctedCharset(node: MimeNode, bytes: Buffer): string | null {
  const hint = node.contentType === 'text/html' ? sniffHtmlCharset(bytes) : null;
  return chooseBodyCharset(bytes, node.charset || null, hint);
}

/**
 * A text part's decoded bytes when they can be had without mailsplit's decoder streams, else null:
 * base64 that is plainly well-formed, quoted-printable without escapes or 8-bit bytes (decoding
 * cannot change what the repair looks at), and unencoded bodies.
 */
function decodedBytes(node: MimeNode, body: Buffer): Buffer | null {
  if (node.encoding === 'base64') {
    const text = body.toString('latin1');
    const compact = text.replace(/\s+/g, '');
    return /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0 ? Buffer.from(compact, 'base64') : null;
  }
  if (node.encoding === 'quoted-printable') return /[\x80-\xff]|=[89a-f][0-9a-f]/i.test(body.toString('latin1')) ? null : body;
  return body;
}

/** True when `repairBodyCharsets` would change this text part (or it cannot be told cheaply). */
function partNeedsRepair(node: MimeNode, body: Buffer): boolean {
  // The size limit applies to decoded bytes; leave parts near it to the repair pass itself.
  if (body.length > MAX_TEXT_PART_BYTES || isUtf7(node.charset || null)) return true;
  const bytes = decodedBytes(node, body);
  return bytes === null || correctedCharset(node, bytes) !== null;
}

/** What a split alone tells about the body: whether the repair pass would change it, and `hasTextPart`. */
export interface BodyInspection {
  readonly needsRepair: boolean;
  /** True when the message has a plain-text body part (not only HTML). */
  readonly hasTextPart: boolean;
}

/**
 * Splits the message without rewriting it (far cheaper than `repairBodyCharsets`) and judges every
 * text part the way that pass would. Rejects when the splitter does, as the repair pass would.
 */
export async function inspectBodyParts(raw: Buffer, options: SplitterOptions): Promise<BodyInspection> {
  const splitter = new Splitter(options);
  splitter.end(raw);
  let needsRepair = false;
  let hasTextPart = false;
  let current: { node: MimeNode; chunks: Buffer[] } | null = null;
  const judge = () => {
    if (current && !needsRepair) needsRepair = partNeedsRepair(current.node, Buffer.concat(current.chunks));
  };
  // Read to the end even after a verdict, so a splitter failure later on still rejects.
  for await (const data of splitter as AsyncIterable<SplitterChunk>) {
    if (data.type === 'node') {
      judge();
      current = isBodyTextPart(data) ? { node: data, chunks: [] } : null;
      if (isPlainTextBodyPart(data)) hasTextPart = true;
    } else if (data.type === 'body' && current?.node === data.node) {
      current.chunks.push(data.value);
    }
  }
  judge();
  return { needsRepair, hasTextPart };
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
    if (isPlainTextBodyPart(node)) hasTextPart = true;
    return isBodyTextPart(node);
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
        const charset = correctedCharset(node, bytes);
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
