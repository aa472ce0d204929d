import { Knex } from 'knex';
import { createOrg } from '../src/orgs/service';
import { createUser } from '../src/domain/users/service';
import { randomPassword } from '../src/domain/users/password';

export interface BaseSeedResult {
  /** False when the database already held an organisation: nothing was written. */
  created: boolean;
  adminEmail?: string;
  /** Set only when the password was generated here; the caller prints it once. */
  generatedPassword?: string;
}

/**
 * First start: organisation, the ISO 4217 currencies (GBP is id 1 and the base), company 1
 * "Acme Corporation" (ACM) and the admin user. Does nothing on a database that has an organisation.
 */
export async function seedBase(
  knex: Knex,
  opts: { adminEmail: string; adminPassword?: string },
): Promise<BaseSeedResult> {
  const existing = await knex('orgs').first('id');
  if (existing) return { created: false };
  const { orgId } = await createOrg(knex, {
    name: 'Default organisation',
    companyCode: 'ACM',
    companyName: 'Acme Corporation',
    baseCurrency: 'GBP',
  });
  const password = opts.adminPassword ?? randomPassword();
  await createUser(knex, { orgId, email: opts.adminEmail, password, role: 'admin', name: 'Administrator' });
  return {
    created: true,
    adminEmail: opts.adminEmail,
    generatedPassword: opts.adminPassword ? undefined : password,
  };
}
