/** Whether connected enforcers have applied a version, as `GET /v1/versions/:v/enforcement` reports it. */
export interface Enforcement {
  version: number;
  acknowledged: number;
  total: number;
  /** Commit to last acknowledgement, once every connected enforcer has acknowledged. */
  ms?: number | undefined;
  pending: { id: string; name: string; version: number }[];
}
