import { ForbiddenError } from '../core/errors';
import type { Viewer } from '../core/caller';

/**
 * ForbiddenError unless the viewer is an admin or the record's owner (`ownerId`: its creator,
 * author or uploader). Each resource words the refusal its own way, so the message is the caller's.
 */
export function checkMayChange(viewer: Viewer, ownerId: number | null, refusal: string): void {
  if (viewer.role !== 'admin' && ownerId !== viewer.id) throw new ForbiddenError(refusal);
}

/** ForbiddenError unless the viewer is an admin (teams, industries, rates, custom fields, users). */
export function checkAdmin(viewer: Viewer, refusal: string): void {
  if (viewer.role !== 'admin') throw new ForbiddenError(refusal);
}
