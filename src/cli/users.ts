import { Command } from 'commander';
import { Knex } from 'knex';
import { prepare } from './context';
import { randomPassword } from '../domain/users/password';
import { listUsers, updateUser, UserInputError, UserRow } from '../domain/users/service';
import { findUserByEmail } from '../domain/users/repo';

/** The user an operator names by e-mail; an unknown e-mail is an error, exit code 1. */
export async function userByEmail(knex: Knex, email: string): Promise<UserRow> {
  const u = await findUserByEmail(knex, email);
  if (!u) throw new UserInputError(`no user with e-mail ${email.trim().toLowerCase()}`);
  return u;
}

/** Runs `fn` with a prepared database, and closes it whatever happens. */
async function withDb(fn: (knex: Knex) => Promise<void>) {
  const { db } = await prepare();
  try {
    await fn(db.knex);
  } finally {
    await db.close();
  }
}

/**
 * `user list | set-password | disable | enable` for operators (a lost admin password, a person who
 * left). A running server sees the change when its credential cache entry expires (60 s); the same
 * change over `/api/v2/users` counts at once.
 */
export function registerUserAdminCommands(user: Command) {
  user
    .command('list')
    .description('print the users as CSV (id,org_id,email,role,is_active,name)')
    .option('--org <id>', 'only this organisation')
    .action((o: { org?: string }) =>
      withDb(async (knex) => {
        const rows = await listUsers(knex, o.org === undefined ? undefined : Number(o.org));
        const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
        console.log(['id,org_id,email,role,is_active,name', ...rows.map((u) => [u.id, u.org_id, u.email, u.role, u.is_active, u.name].map(cell).join(','))].join('\n'));
      }),
    );
  user
    .command('set-password')
    .description('set a user\'s password; without --password a random one is generated and printed once')
    .requiredOption('--email <email>', 'login e-mail')
    .option('--password <password>', 'the new password (at least 8 characters)')
    .action((o: { email: string; password?: string }) =>
      withDb(async (knex) => {
        const u = await userByEmail(knex, o.email);
        const password = o.password ?? randomPassword();
        await updateUser(knex, u.id, { password });
        console.log(o.password === undefined ? `new password of ${u.email}: ${password}` : `password of ${u.email} changed`);
      }),
    );
  for (const [name, active] of [['disable', false], ['enable', true]] as const) {
    user
      .command(name)
      .description(active ? 'let a disabled user log in again' : 'stop a user from logging in (password and API tokens); nothing is deleted')
      .requiredOption('--email <email>', 'login e-mail')
      .action((o: { email: string }) =>
        withDb(async (knex) => {
          const u = await userByEmail(knex, o.email);
          await updateUser(knex, u.id, { isActive: active });
          console.log(`user ${u.email} ${active ? 'enabled' : 'disabled'}`);
        }),
      );
  }
}
