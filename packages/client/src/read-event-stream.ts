import { SseParser, type SseEvent } from './sse-parser.js';

/**
 * Reads a `text/event-stream` body (a fetch Response's, in Node or a browser) to its end, calling
 * `onEvent` for each event as its bytes arrive. `EventSource` cannot send an `Authorization`
 * header, so estop's clients read their streams with `fetch` and this.
 *
 * @example
 * const response = await fetch(url, { headers: { authorization, accept: 'text/event-stream' } });
 * await readEventStream(response.body!, (event) => console.log(event.type, event.data));
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const parser = new SseParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.push(value);
  }
}
