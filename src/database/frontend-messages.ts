/** The codes of PostgreSQL's untyped first messages (protocol 3.0, "Message Formats"). */
export const STARTUP_CODE = 196_608;
export const SSL_REQUEST_CODE = 80_877_103;
export const GSSENC_REQUEST_CODE = 80_877_104;
export const CANCEL_REQUEST_CODE = 80_877_102;

/** A frontend message that cannot be framed: its length is below what the protocol allows. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

export interface FrontendMessage {
  bytes: Buffer;
  /** The code of an untyped first message: `STARTUP_CODE`, `SSL_REQUEST_CODE`, … */
  code?: number;
}

/**
 * Cuts the byte stream a PostgreSQL client sends into whole messages. Until the StartupMessage, messages are
 * `Int32 length, Int32 code, …` (an SSLRequest or GSSENCRequest may come first); after it, `Byte1 type, Int32 length,
 * …` where the length counts itself but not the type. Each byte is copied at most once: the chunks of a message of
 * several megabytes (a backup's rows, 64 KB a chunk) are joined when it is complete, not on every chunk.
 */
export class FrontendMessages {
  private chunks: Buffer[] = [];
  private size = 0;
  private started = false;

  /**
   * Adds what the socket read; returns the messages it completed, in order, each with its code when it is one of the
   * untyped first messages (StartupMessage, SSLRequest, …).
   */
  push(chunk: Buffer): FrontendMessage[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const messages: FrontendMessage[] = [];
    for (;;) {
      const length = this.nextLength();
      if (length === undefined || this.size < length) return messages;
      const bytes = this.take(length);
      if (this.started) {
        messages.push({ bytes });
      } else {
        const code = bytes.readInt32BE(4);
        if (code === STARTUP_CODE) this.started = true;
        messages.push({ bytes, code });
      }
    }
  }

  /** Bytes read but not yet part of a whole message. */
  get pending(): number {
    return this.size;
  }

  /** The whole length of the next message, once its header has arrived. */
  private nextLength(): number | undefined {
    const header = this.started ? 5 : 8;
    if (this.size < header) return undefined;
    const head = this.peek(header);
    const length = this.started ? 1 + head.readInt32BE(1) : head.readInt32BE(0);
    if (length < header) {
      throw new MalformedMessageError(`A client message claims ${length} bytes, fewer than its own header.`);
    }
    return length;
  }

  private peek(bytes: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= bytes) return first;
    const parts: Buffer[] = [];
    let joined = 0;
    for (const chunk of this.chunks) {
      parts.push(chunk);
      if ((joined += chunk.length) >= bytes) break;
    }
    return Buffer.concat(parts, joined);
  }

  private take(bytes: number): Buffer {
    this.size -= bytes;
    const first = this.chunks[0]!;
    if (first.length >= bytes) {
      if (first.length === bytes) this.chunks.shift();
      else this.chunks[0] = first.subarray(bytes);
      return first.subarray(0, bytes);
    }
    const parts: Buffer[] = [];
    let needed = bytes;
    while (needed > 0) {
      const chunk = this.chunks[0]!;
      if (chunk.length <= needed) {
        parts.push(chunk);
        this.chunks.shift();
        needed -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, needed));
        this.chunks[0] = chunk.subarray(needed);
        needed = 0;
      }
    }
    return Buffer.concat(parts, bytes);
  }
}
