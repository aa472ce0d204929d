import crypto from 'node:crypto';
import type { ExpectedVersion } from '../../core/versions';

/**
 * A record's ETag: `"v<version>-<digest>"`. The version moves on every write of the record; the
 * digest covers what the record's body derives from elsewhere (an account's balance), so a cached
 * copy is never answered 304 after its invoices changed. If-Match compares versions only: that is
 * what protects a write from overwriting someone else's.
 */
export function makeEtag(version: number, derived: unknown = null): string {
  const digest = crypto.createHash('sha1').update(JSON.stringify(derived ?? null)).digest('base64url').slice(0, 10);
  return `"v${version}-${digest}"`;
}

function tags(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).filter(Boolean);
}

/** If-None-Match on a read: true when the client's copy is current (answer 304). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || tags(ifNoneMatch).includes(etag);
}

/**
 * If-Match (a header, or a bulk operation's `if_match`) → the versions the write may happen on, for
 * the core to check; none for no header or `*`. A tag that is not one of ours names no version, so
 * it never matches.
 */
export function expectedVersion(ifMatch: string | undefined): ExpectedVersion | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const versions = tags(ifMatch).flatMap((t) => {
    const v = /^"v(\d+)(?:-[^"]*)?"$/.exec(t)?.[1];
    // `"v007-…"` was never an ETag of ours (versions print without leading zeros): it matches nothing.
    return v === undefined || String(Number(v)) !== v ? [] : [Number(v)];
  });
  return { versions, field: 'If-Match' };
}
