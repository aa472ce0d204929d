import { Knex } from 'knex';
import { hashPassword } from '../auth/password';
import { credentialsChanged } from '../auth/credential-events';

export type Role = 'admin' | 'user';
export const ROLES: Role[] = ['admin', 'user'];

export interface UserRow {
  id: number;
  org_id: number;
  email: string;
  name: string | null;
  password_hash: string;
  role: Role;
  is_active: boolean;
}

/** A bad input to a user operation; `field` names it for the API's error details. */
export class UserInputError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function createUser(
  knex: Knex,
  input: { orgId: number; email: string; password: string; role?: Role; name?: string },
): Promise<UserRow> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new UserInputError(`"${input.email}" is not an e-mail address`, 'email');
  checkPassword(input.password);
  const role = input.role ?? 'user';
  if (!ROLES.includes(role)) throw new UserInputError(`role must be one of ${ROLES.join(', ')}`, 'role');
  const existing = await findUserByEmail(knex, email);
  if (existing) throw new UserInputError(`a user with e-mail ${email} already exists`, 'email');
  const [row] = await knex('users')
    .insert({ org_id: input.orgId, email, name: input.name ?? null, role, password_hash: await hashPassword(input.password) })
    .returning('*');
  return row;
}

export async function findUserByEmail(knex: Knex, email: string): Promise<UserRow | undefined> {
  return knex('users').whereRaw('lower(email) = ?', [email.trim().toLowerCase()]).first();
}

function checkPassword(password: string) {
  if (password.length < 8) throw new UserInputError('the password must have at least 8 characters', 'password');
}

/** What the API and the CLI show of a user: never the hash. */
export type PublicUser = Omit<UserRow, 'password_hash'> & { created: Date };
const PUBLIC = ['id', 'org_id', 'email', 'name', 'role', 'is_active', 'created'];

export async function listUsers(knex: Knex, orgId?: number): Promise<PublicUser[]> {
  const q = knex('users').select(PUBLIC).orderBy('id');
  if (orgId !== undefined) q.where({ org_id: orgId });
  return q;
}

export async function getUser(knex: Knex, id: number): Promise<PublicUser | undefined> {
  return knex('users').select(PUBLIC).where({ id }).first();
}

/**
 * Changes a user's password, active flag, role or name; every credential cache of this process
 * forgets the user at once (a disabled user's API tokens stop working too: they are checked
 * against `is_active` on each request).
 */
export async function updateUser(
  knex: Knex,
  id: number,
  change: { password?: string; isActive?: boolean; role?: Role; name?: string | null },
): Promise<PublicUser | undefined> {
  const patch: Record<string, unknown> = {};
  if (change.password !== undefined) {
    checkPassword(change.password);
    patch.password_hash = await hashPassword(change.password);
  }
  if (change.isActive !== undefined) patch.is_active = change.isActive;
  if (change.role !== undefined) {
    if (!ROLES.includes(change.role)) throw new UserInputError(`role must be one of ${ROLES.join(', ')}`, 'role');
    patch.role = change.role;
  }
  if (change.name !== undefined) patch.name = change.name;
  if (Object.keys(patch).length) {
    const n = await knex('users').where({ id }).update(patch);
    if (!n) return undefined;
    credentialsChanged(id);
  }
  return getUser(knex, id);
}
