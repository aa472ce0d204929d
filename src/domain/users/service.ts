import { Knex } from 'knex';
import { Role, ROLES, Viewer } from '../../core/caller';
import { NotFoundError, ValidationError } from '../../core/errors';
import { hashPassword } from './password';
import { credentialsChanged } from './credential-events';
import { getUser, insertUser, findUserByEmail, listUsers, patchUser, PublicUser, UserRow } from './repo';

export type { Role } from '../../core/caller';
export { ROLES } from '../../core/caller';
export type { PublicUser, UserRow } from './repo';
export { getUser, listUsers } from './repo';

/**
 * A bad input to a user operation; `field` names it. The CLI prints the message as is; the v2
 * dialect answers a taken e-mail with a 409 and anything else with a 400 naming the field.
 */
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
  if (await findUserByEmail(knex, email)) throw new UserInputError(`a user with e-mail ${email} already exists`, 'email');
  return insertUser(knex, { org_id: input.orgId, email, name: input.name ?? null, role, password_hash: await hashPassword(input.password) });
}

function checkPassword(password: string) {
  if (password.length < 8) throw new UserInputError('the password must have at least 8 characters', 'password');
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
  const patch: Partial<UserRow> = {};
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
    if (!(await patchUser(knex, id, patch))) return undefined;
    credentialsChanged(id);
  }
  return getUser(knex, id);
}

/** A user of the caller's organisation, else NotFoundError (another organisation's users do not exist for it). */
export async function getOrgUser(knex: Knex, viewer: Viewer, id: number): Promise<PublicUser> {
  const u = await getUser(knex, id);
  if (!u || u.org_id !== viewer.orgId) throw new NotFoundError('user', id);
  return u;
}

/** An admin's change to a user of the organisation; an admin who disabled or demoted themselves could leave it without one. */
export async function updateOrgUser(
  knex: Knex,
  viewer: Viewer,
  id: number,
  change: { password?: string; isActive?: boolean; role?: Role; name?: string | null },
): Promise<PublicUser> {
  const u = await getOrgUser(knex, viewer, id);
  if (u.id === viewer.id && change.isActive === false) throw new ValidationError([{ field: 'is_active', message: 'you cannot disable yourself' }]);
  if (u.id === viewer.id && change.role === 'user') throw new ValidationError([{ field: 'role', message: 'you cannot remove your own admin role' }]);
  return (await updateUser(knex, u.id, change))!;
}

/** The users domain for one database: what the API's routes call (the CLI calls the functions above). */
export class UserService {
  constructor(private readonly knex: Knex) {}

  list(viewer: Viewer): Promise<PublicUser[]> {
    return listUsers(this.knex, viewer.orgId);
  }

  get(viewer: Viewer, id: number): Promise<PublicUser> {
    return getOrgUser(this.knex, viewer, id);
  }

  /** A new user of the viewer's organisation, as the API shows it (with its `created`). */
  async create(viewer: Viewer, input: { email: string; password: string; role?: Role; name?: string }): Promise<PublicUser> {
    const u = await createUser(this.knex, { ...input, orgId: viewer.orgId });
    return (await getUser(this.knex, u.id))!;
  }

  update(viewer: Viewer, id: number, change: { password?: string; isActive?: boolean; role?: Role; name?: string | null }): Promise<PublicUser> {
    return updateOrgUser(this.knex, viewer, id, change);
  }
}
