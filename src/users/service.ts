import { Knex } from 'knex';
import { hashPassword } from '../auth/password';

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

export class UserInputError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function createUser(
  knex: Knex,
  input: { orgId: number; email: string; password: string; role?: Role; name?: string },
): Promise<UserRow> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new UserInputError(`"${input.email}" is not an e-mail address`);
  if (input.password.length < 8) throw new UserInputError('the password must have at least 8 characters');
  const role = input.role ?? 'user';
  if (!ROLES.includes(role)) throw new UserInputError(`role must be one of ${ROLES.join(', ')}`);
  const existing = await findUserByEmail(knex, email);
  if (existing) throw new UserInputError(`a user with e-mail ${email} already exists`);
  const [row] = await knex('users')
    .insert({ org_id: input.orgId, email, name: input.name ?? null, role, password_hash: await hashPassword(input.password) })
    .returning('*');
  return row;
}

export async function findUserByEmail(knex: Knex, email: string): Promise<UserRow | undefined> {
  return knex('users').whereRaw('lower(email) = ?', [email.trim().toLowerCase()]).first();
}
