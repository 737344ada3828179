/**
 * The container protocol's framing: a 4-byte big-endian header length, the header as UTF-8 JSON,
 * then `header.body_length` bytes of body (the PNG). Requests to the container use the same prefix
 * with a JSON body only.
 */
export interface Frame {
  header: Record<string, unknown> & { type?: string; body_length?: number };
  body: Buffer;
}

export class FrameError extends Error {}

export function encodeRequest(payload: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json]);
}

/** Incremental decoder with hard limits, so a hostile stream cannot make the host buffer without bound. */
export class FrameDecoder {
  private buffered: Buffer[] = [];
  private size = 0;

  private readonly limits: { headerBytes: number; bodyBytes: number };

  constructor(limits: { headerBytes: number; bodyBytes: number }) {
    this.limits = { ...limits }; // a private copy: setBodyLimit must not reach other decoders
  }

  /** Changes the largest body accepted from now on (a render's answer may be a PNG or a larger clip). */
  setBodyLimit(bytes: number): void {
    this.limits.bodyBytes = bytes;
  }

  /** Adds a chunk and returns every frame now complete. Throws FrameError on malformed input. */
  push(chunk: Buffer): Frame[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  private next(): Frame | null {
    if (this.size < 4) return null;
    const data = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    this.buffered = [data];
    const headerLength = data.readUInt32BE(0);
    if (headerLength > this.limits.headerBytes) throw new FrameError(`result header of ${headerLength} bytes exceeds the limit`);
    if (data.length < 4 + headerLength) return null;
    let header: Frame['header'];
    try {
      header = JSON.parse(data.subarray(4, 4 + headerLength).toString('utf8'));
    } catch (error) {
      throw new FrameError('result header is not valid JSON', { cause: error });
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FrameError('result header is not an object');
    const bodyLength = Number(header.body_length ?? 0);
    if (!Number.isInteger(bodyLength) || bodyLength < 0) throw new FrameError('result body length is invalid');
    if (bodyLength > this.limits.bodyBytes) throw new FrameError(`result body of ${bodyLength} bytes exceeds the limit of ${this.limits.bodyBytes}`);
    const end = 4 + headerLength + bodyLength;
    if (data.length < end) return null;
    const body = Buffer.from(data.subarray(4 + headerLength, end));
    const rest = data.subarray(end);
    this.buffered = rest.length ? [rest] : [];
    this.size = rest.length;
    return { header, body };
  }
}
