import { PreconditionFailedError } from './errors';

/**
 * The versions a writer's copy may be at (optimistic concurrency). A dialect reads them from its wire
 * (v2: the If-Match header's ETags) and names that input in `field`, so the error points at it.
 * No expectation at all (no header, or `*`) is `undefined`.
 */
export interface ExpectedVersion {
  versions: readonly number[];
  field: string;
}

/** Precondition failed unless the record is at one of the expected versions. */
export function checkVersion(expected: ExpectedVersion | undefined, currentVersion: number): void {
  if (expected === undefined || expected.versions.includes(currentVersion)) return;
  throw new PreconditionFailedError(
    `the record has changed since you read it (it is at version ${currentVersion}); GET it again and re-apply your change`,
    [{ field: expected.field, message: `does not match the current ETag (version ${currentVersion})` }],
  );
}
