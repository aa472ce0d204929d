import { Command } from 'commander';
import { prepare } from './context';
import { userByEmail } from './users';
import { createToken, listTokens, revokeToken } from '../auth/tokens';
import { UserInputError } from '../domain/users/service';

function positiveInt(raw: string, name: string): number {
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new UserInputError(`${name} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

/** `token create | list | revoke --email E`: API tokens for a user's scripts, made by an operator. */
export function registerTokenCommands(program: Command) {
  const token = program.command('token').description("manage a user's API tokens");
  const run = async (fn: (knex: Awaited<ReturnType<typeof prepare>>['db']['knex']) => Promise<void>) => {
    const { db } = await prepare();
    try {
      await fn(db.knex);
    } finally {
      await db.close();
    }
  };
  token
    .command('create')
    .description('create a token; stdout is the token alone (shown once: only its hash is kept)')
    .requiredOption('--email <email>', 'the user the token acts as')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <n>', 'expire after this many days (default: never)')
    .action((o: { email: string; name: string; expiresInDays?: string }) =>
      run(async (knex) => {
        const days = o.expiresInDays === undefined ? null : positiveInt(o.expiresInDays, '--expires-in-days');
        if (days !== null && days > 3650) throw new UserInputError('--expires-in-days must be at most 3650');
        if (!o.name.trim()) throw new UserInputError('--name must not be empty');
        const u = await userByEmail(knex, o.email);
        const { token: secret, row } = await createToken(knex, u.id, { name: o.name.trim(), expiresInDays: days });
        console.error(`token ${row.id} "${row.name}" for ${u.email}, expires ${row.expires_at ? new Date(row.expires_at).toISOString() : 'never'}; it is not shown again`);
        console.log(secret);
      }),
    );
  token
    .command('list')
    .description("print the user's tokens that are not revoked, as CSV (never the secret)")
    .requiredOption('--email <email>', 'the user')
    .action((o: { email: string }) =>
      run(async (knex) => {
        const u = await userByEmail(knex, o.email);
        const iso = (d: Date | null) => (d ? new Date(d).toISOString() : '');
        const rows = (await listTokens(knex, u.id)).map((t) => [t.id, JSON.stringify(t.name), t.prefix, iso(t.created), iso(t.expires_at), iso(t.last_used_at)].join(','));
        console.log(['id,name,prefix,created,expires_at,last_used_at', ...rows].join('\n'));
      }),
    );
  token
    .command('revoke')
    .description('revoke a token; it stops working from the next request')
    .requiredOption('--email <email>', 'the token owner')
    .requiredOption('--id <id>', 'token id (from token list)')
    .action((o: { email: string; id: string }) =>
      run(async (knex) => {
        const u = await userByEmail(knex, o.email);
        const id = positiveInt(o.id, '--id');
        if (!(await revokeToken(knex, u.id, id))) throw new UserInputError(`${u.email} has no active token ${id}`);
        console.log(`token ${id} revoked`);
      }),
    );
}
