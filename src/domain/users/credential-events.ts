/**
 * "This user's credentials changed" (password set, disabled, enabled, role changed), told to every
 * credential cache of this process so the change counts from the next request, not after the
 * cache's TTL. Other processes learn of it when their own cache entry expires.
 */
type Listener = (userId: number) => void;

const listeners = new Set<Listener>();

export function onCredentialsChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function credentialsChanged(userId: number): void {
  for (const l of listeners) l(userId);
}
