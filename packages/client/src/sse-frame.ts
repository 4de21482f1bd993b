/** One server-sent event to write: its name, its data (sent as JSON) and, optionally, its id. */
export interface SseFrame {
  readonly event: string;
  readonly data: unknown;
  readonly id?: string | number | undefined;
}

/**
 * The bytes of one server-sent event, as SseParser reads them: `event:`, `id:` when given, one
 * `data:` line of JSON (which never holds a raw line break), and the blank line that ends it.
 *
 * @example
 * response.write(sseFrame({ event: 'change', data: event, id: event.version }));
 */
export function sseFrame(frame: SseFrame): string {
  const id = frame.id === undefined ? '' : `id: ${frame.id}\n`;
  return `event: ${frame.event}\n${id}data: ${JSON.stringify(frame.data)}\n\n`;
}
