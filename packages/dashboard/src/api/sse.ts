import { SseParser, readEventStream } from '@estop/client';

/** One server-sent event: its name (`message` when the stream names none), data and id. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string | undefined;
}

/**
 * Splits a text/event-stream body into events as its bytes arrive, with `@estop/client`'s parser.
 * `EventSource` cannot send an `Authorization` header, so the dashboard reads its streams with
 * `fetch` and this.
 */
export function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void): Promise<void> {
  return readEventStream(body, ({ type, data, id }) => onEvent({ event: type, data, id }));
}

/** A push parser for the event-stream format: feed it text chunks in order. */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  const parser = new SseParser(({ type, data, id }) => onEvent({ event: type, data, id }));
  return (chunk) => parser.push(chunk);
}
