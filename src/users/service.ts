// The users domain moved to src/domain/users (issue 14); the CLI and specs still import this path.
export * from '../domain/users/service';
export { findUserByEmail } from '../domain/users/repo';
export type { Role } from '../core/caller';
