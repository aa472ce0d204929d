import { Knex } from 'knex';
import type { Role } from '../../core/caller';

export interface UserRow {
  id: number;
  org_id: number;
  email: string;
  name: string | null;
  password_hash: string;
  role: Role;
  is_active: boolean;
}

/** What the API and the CLI show of a user: never the hash. */
export type PublicUser = Omit<UserRow, 'password_hash'> & { created: Date };
const PUBLIC = ['id', 'org_id', 'email', 'name', 'role', 'is_active', 'created'];

/** E-mails are unique across organisations, compared lower-cased. */
export async function findUserByEmail(knex: Knex, email: string): Promise<UserRow | undefined> {
  return knex('users').whereRaw('lower(email) = ?', [email.trim().toLowerCase()]).first();
}

export async function insertUser(knex: Knex, values: Omit<UserRow, 'id' | 'is_active'>): Promise<UserRow> {
  const [row] = await knex('users').insert(values).returning('*');
  return row;
}

export async function listUsers(knex: Knex, orgId?: number): Promise<PublicUser[]> {
  const q = knex('users').select(PUBLIC).orderBy('id');
  if (orgId !== undefined) q.where({ org_id: orgId });
  return q;
}

export async function getUser(knex: Knex, id: number): Promise<PublicUser | undefined> {
  return knex('users').select(PUBLIC).where({ id }).first();
}

/** Updates one user; false when there is no such user. */
export async function patchUser(knex: Knex, id: number, patch: Partial<UserRow>): Promise<boolean> {
  return (await knex('users').where({ id }).update(patch)) > 0;
}

/** The ids among `ids` that are users of the organisation (team members must be). */
export async function usersOfOrg(knex: Knex, orgId: number, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  return new Set((await knex('users').where({ org_id: orgId }).whereIn('id', ids).select('id')).map((r) => r.id as number));
}
