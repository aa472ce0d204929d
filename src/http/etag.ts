import crypto from 'node:crypto';
import { PreconditionFailedError } from '../core/errors';

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

/** If-Match on a write: 412 unless one of the tags names the current version (or is `*`). */
export function checkIfMatch(ifMatch: string | undefined, currentVersion: number): void {
  if (ifMatch === undefined) return;
  if (ifMatch.trim() === '*') return;
  const versions = tags(ifMatch).map((t) => /^"v(\d+)(?:-[^"]*)?"$/.exec(t)?.[1]);
  if (!versions.includes(String(currentVersion))) {
    throw new PreconditionFailedError(
      `the record has changed since you read it (it is at version ${currentVersion}); GET it again and re-apply your change`,
      [{ field: 'If-Match', message: `does not match the current ETag (version ${currentVersion})` }],
    );
  }
}
