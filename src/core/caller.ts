/**
 * Who is calling, as the core sees it: every service call is scoped by `orgId` and checked against
 * `role`. The HTTP kernel (src/auth) builds one per request; the CLI builds its own.
 */
export type Role = 'admin' | 'user';
export const ROLES: readonly Role[] = ['admin', 'user'];

export interface Caller {
  id: number;
  orgId: number;
  role: Role;
  email: string;
  /** Set when the request was authorised by an API token rather than a password. */
  tokenId?: number;
}

/** What visibility rules need of a caller. */
export type Viewer = Pick<Caller, 'id' | 'orgId' | 'role'>;
