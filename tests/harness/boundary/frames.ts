/**
 * Length-prefixed codec frames, the wire format between the tester and the child that holds the code
 * under test: 4 bytes of length (big-endian), then the message as msgpack (labrpc's codec, so byte
 * arrays stay byte arrays). `FrameReader` takes chunks as a pipe delivers them and yields whole messages.
 */
import { Packr } from 'msgpackr';
import { PACK_OPTIONS } from '../../../labrpc/codec';

// The codec's options (byte arrays stay byte arrays), without its plain-data walk: a frame holds only
// the boundary's own plain objects around bytes the codec already checked.
const packr = new Packr(PACK_OPTIONS);

/** The largest frame either side accepts: far above any honest batch, far below what would hurt. */
export const MAX_FRAME_BYTES = 256 * 2 ** 20;

export function frame(message: unknown): Buffer {
  const body = packr.pack(message);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

export class FrameReader {
  #pending: Buffer[] = [];
  #bytes = 0;

  /** Add a chunk; returns the whole messages it completed, in order. Throws on an oversized frame. */
  push(chunk: Buffer): unknown[] {
    this.#pending.push(chunk);
    this.#bytes += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      if (this.#bytes < 4) return messages;
      const head = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
      this.#pending = [head];
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES)
        throw new Error(`a frame of ${length} bytes (the limit is ${MAX_FRAME_BYTES})`);
      if (head.length < 4 + length) return messages;
      messages.push(packr.unpack(head.subarray(4, 4 + length)));
      const rest = head.subarray(4 + length);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#bytes = rest.length;
    }
  }
}
