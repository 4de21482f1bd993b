/** Logs what the server does; JSON lines in production, silent in tests. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything: the default when none is given. */
export const silentLogger: Logger = { info: () => {}, error: () => {} };

/** JSON-lines logger on a stream. */
export function createJsonLogger(stream: NodeJS.WritableStream): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  return {
    info: (message, fields) => write('info', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
