/** Where the gateway reports what it does; the control plane's JSON-lines logger fits. */
export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
