/** Administrate prints datetimes as ISO 8601 in UTC without an offset: "2016-12-13T11:23:23". */
export function wireDateTime(value: Date | string | null | undefined, withMillis = false): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return d.toISOString().slice(0, withMillis ? 23 : 19);
}

/** A DATE column: already 'YYYY-MM-DD' from the drivers; Date objects are read in UTC. */
export function wireDate(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : value;
}
