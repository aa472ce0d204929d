/** Who asks: every core service takes one. The HTTP kernel (src/auth) and the CLI make it. */
export type Role = 'admin' | 'user';

export interface Caller {
  id: number;
  orgId: number;
  role: Role;
  email: string;
  /** Set when the request was authorised by an API token (src/auth/tokens.ts) rather than a password. */
  tokenId?: number;
}
