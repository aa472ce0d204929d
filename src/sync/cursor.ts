/**
 * Feed positions: a change's (transaction id, sequence number), sent to clients as an opaque string
 * (base64url of "1.<xid>.<seq>", the leading 1 being the format's version) so the encoding can change
 * without breaking stored cursors of this format.
 */
export interface Position {
  /** pg_current_xact_id() of the change's transaction, as a decimal string (xid8 is 64-bit). */
  xid: string;
  seq: string;
}

export function encodeCursor(p: Position): string {
  return Buffer.from(`1.${p.xid}.${p.seq}`, 'utf8').toString('base64url');
}

/** The position of a cursor, or undefined when the string is not one this server made. */
export function decodeCursor(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) return undefined;
  const m = /^1\.(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return undefined;
  // xid8 and bigint are unsigned 64-bit and signed 64-bit: larger values cannot be positions.
  if (BigInt(m[1]) > 18446744073709551615n || BigInt(m[2]) > 9223372036854775807n) return undefined;
  return { xid: m[1], seq: m[2] };
}
