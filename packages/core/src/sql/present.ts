/** `{ [key]: value }`, or nothing when the column is NULL, so absent fields stay absent. */
export function present<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** JSON text for a column, or NULL for an absent value. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
