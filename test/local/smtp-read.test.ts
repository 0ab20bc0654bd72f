// unit: the SMTP stand-in reads a message while it streams and gives up keeping it once it passes the limit
import { describe, expect, it } from 'vitest';
import { readAtMost } from '../../bin/local/smtp-receiver';

/** `count` chunks of `size` bytes, counting how many the reader pulled. */
function chunks(count: number, size: number): { stream: AsyncIterable<Buffer>; pulled: () => number } {
  let pulled = 0;
  async function* generate() {
    for (let i = 0; i < count; i += 1) {
      pulled += 1;
      yield Buffer.alloc(size, i % 256);
    }
  }
  return { stream: generate(), pulled: () => pulled };
}

describe('readAtMost', () => {
  it('returns every byte of a message up to the limit, exactly at the limit too', async () => {
    const { stream } = chunks(4, 256);
    const read = await readAtMost(stream, 1024);
    expect(read?.length).toBe(1024);
    expect([...new Set(read)]).toEqual([0, 1, 2, 3]);
  });

  it('accepts string chunks as bytes', async () => {
    async function* text() {
      yield 'Subject: hi\r\n';
      yield Buffer.from('\r\nbody\r\n');
    }
    expect((await readAtMost(text(), 100))?.toString()).toBe('Subject: hi\r\n\r\nbody\r\n');
  });

  it('answers null for a message one byte over the limit, after reading it to its end so the client can be refused', async () => {
    const { stream, pulled } = chunks(1025, 1);
    expect(await readAtMost(stream, 1024)).toBeNull();
    expect(pulled()).toBe(1025);
  });

  it('drains a message far over the limit without keeping it (64 MB through a 1 MB limit)', async () => {
    const { stream, pulled } = chunks(1024, 64 * 1024);
    expect(await readAtMost(stream, 1024 * 1024)).toBeNull();
    expect(pulled()).toBe(1024);
  });
});
