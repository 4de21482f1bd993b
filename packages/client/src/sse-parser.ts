/** One event read from a `text/event-stream`. */
export interface SseEvent {
  /** The `event:` field, or `message` when the event named none. */
  readonly type: string;
  /** The `data:` lines, joined by line feeds. */
  readonly data: string;
  /** The last `id:` seen on the stream, if any. */
  readonly id: string | undefined;
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * An incremental parser for server-sent events, as the WHATWG HTML standard defines them.
 * Chunks may be split anywhere, a multi-byte character or a `\r\n` included; lines may end
 * with `\n`, `\r\n` or `\r`; comments (`:`) and unknown fields are ignored.
 *
 * @example
 * const parser = new SseParser((event) => console.log(event.type, event.data));
 * for await (const chunk of body) parser.push(chunk);
 */
export class SseParser {
  readonly #onEvent: (event: SseEvent) => void;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  // How far #buffer has been searched for a line end, so that a long line arriving in many
  // chunks is scanned once rather than once per chunk.
  #scanned = 0;
  // A chunk that ended in `\r` may be followed by the `\n` of the same line end.
  #skipLineFeed = false;
  #type = '';
  #data: string[] = [];
  #lastEventId: string | undefined;

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  /** Feeds the next chunk of the stream, as bytes (UTF-8) or text. */
  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    if (this.#skipLineFeed) {
      this.#skipLineFeed = false;
      if (text.charCodeAt(0) === LINE_FEED) text = text.slice(1);
    }
    this.#buffer += text;
    const buffer = this.#buffer;
    let lineStart = 0;
    for (let position = this.#scanned; position < buffer.length; position++) {
      const code = buffer.charCodeAt(position);
      if (code !== LINE_FEED && code !== CARRIAGE_RETURN) continue;
      this.#line(buffer.slice(lineStart, position));
      if (code === CARRIAGE_RETURN) {
        if (position + 1 === buffer.length) this.#skipLineFeed = true;
        else if (buffer.charCodeAt(position + 1) === LINE_FEED) position++;
      }
      lineStart = position + 1;
    }
    this.#buffer = buffer.slice(lineStart);
    this.#scanned = this.#buffer.length;
  }

  /** Discards a partial event, as the standard does at the end of a stream, and resets. */
  reset(): void {
    this.#buffer = '';
    this.#scanned = 0;
    this.#skipLineFeed = false;
    this.#type = '';
    this.#data = [];
  }

  #line(line: string): void {
    if (line.length === 0) {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      // `retry` and unknown fields: the guard schedules its own reconnects.
    }
  }

  #dispatch(): void {
    const type = this.#type === '' ? 'message' : this.#type;
    const data = this.#data;
    this.#type = '';
    this.#data = [];
    // An event without data is not dispatched (the standard's rule), only its fields reset.
    if (data.length === 0) return;
    this.#onEvent({ type, data: data.join('\n'), id: this.#lastEventId });
  }
}
