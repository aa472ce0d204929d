import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freshDatabase } from '../support/fresh-db';
import { ADMIN_EMAIL } from '../support/constants';
import { MAIN, ROOT, runCli, startServer } from '../support/server-process';

jest.setTimeout(180000);

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string; main: string; bin: Record<string, string>; scripts: Record<string, string>;
};

describe('entry points of the built package', () => {
  it('when package.json names main, bin and start, then they are the file the build writes, with a shebang', () => {
    expect(path.join(ROOT, pkg.main)).toBe(MAIN);
    expect(path.join(ROOT, pkg.bin.v2crm)).toBe(MAIN);
    expect(pkg.scripts.start).toBe(`node ${pkg.main} serve`);
    expect(fs.readFileSync(MAIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('when `npx v2crm --version` and `--help` run in a clone, then they print the version and every command', async () => {
    const run = promisify(execFile);
    const version = await run('npx', ['--no-install', 'v2crm', '--version'], { cwd: ROOT });
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await run('npx', ['--no-install', 'v2crm', '--help'], { cwd: ROOT });
    for (const command of ['serve', 'migrate', 'user', 'token', 'import']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});

describe('v2crm user and token commands', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase({ seeded: true });
  });
  afterAll(() => db.cleanup());

  it('when an operator resets a password, disables a user and manages tokens, then a restarted server honours all of it', async () => {
    const cli = async (...args: string[]) => {
      const r = await runCli(args, db.env);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: expect.any(String) });
      return r;
    };
    await cli('user', 'add', '--email', 'ops@example.com', '--password', 'ops-password-1');
    await cli('user', 'add', '--email', 'leaver@example.com', '--password', 'leaver-password');

    const reset = await cli('user', 'set-password', '--email', 'OPS@example.com');
    const password = /^new password of ops@example.com: (\S{16,})$/m.exec(reset.stdout)?.[1];
    expect(password).toBeDefined();
    expect((await cli('user', 'disable', '--email', 'leaver@example.com')).stdout.trim()).toBe('user leaver@example.com disabled');

    const list = await cli('user', 'list');
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining([
      'id,org_id,email,role,is_active,name',
      expect.stringMatching(new RegExp(`^1,1,${ADMIN_EMAIL},admin,true,`)),
      expect.stringMatching(/^\d+,1,ops@example\.com,user,true,$/),
      expect.stringMatching(/^\d+,1,leaver@example\.com,user,false,$/),
    ]));

    const created = await cli('token', 'create', '--email', 'ops@example.com', '--name', 'nightly', '--expires-in-days', '30');
    const token = created.stdout.trim();
    expect(token).toMatch(/^v2crm_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/not shown again/);
    const doomed = (await cli('token', 'create', '--email', 'ops@example.com')).stdout.trim();
    const listed = (await cli('token', 'list', '--email', 'ops@example.com')).stdout;
    expect(listed).not.toContain(token);
    const doomedId = listed.split('\n').find((l) => l.includes(doomed.slice(0, 12)))!.split(',')[0];
    expect((await cli('token', 'revoke', '--email', 'ops@example.com', '--id', doomedId)).stdout.trim()).toBe(`token ${doomedId} revoked`);
    expect((await cli('token', 'list', '--email', 'ops@example.com')).stdout).not.toContain(doomed.slice(0, 12));

    const server = await startServer(db.env);
    try {
      const status = async (authorization: string) =>
        (await fetch(`http://127.0.0.1:${server.port}/api/v2/crm/accounts`, { headers: { Authorization: authorization } })).status;
      const basic = (e: string, p: string) => `Basic ${Buffer.from(`${e}:${p}`).toString('base64')}`;
      expect(await status(basic('ops@example.com', password!))).toBe(200);
      expect(await status(basic('ops@example.com', 'ops-password-1'))).toBe(401);
      expect(await status(basic('leaver@example.com', 'leaver-password'))).toBe(401);
      expect(await status(`Bearer ${token}`)).toBe(200);
      expect(await status(basic('ops@example.com', token))).toBe(200);
      expect(await status(`Bearer ${doomed}`)).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it('when the e-mail, the token id or the expiry is wrong, then the command fails saying which', async () => {
    const nobody = await runCli(['user', 'disable', '--email', 'nobody@example.com'], db.env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toBe('error: no user with e-mail nobody@example.com');
    const noToken = await runCli(['token', 'revoke', '--email', ADMIN_EMAIL, '--id', '999'], db.env);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr.trim()).toBe(`error: ${ADMIN_EMAIL} has no active token 999`);
    const badExpiry = await runCli(['token', 'create', '--email', ADMIN_EMAIL, '--expires-in-days', 'soon'], db.env);
    expect(badExpiry.code).toBe(1);
    expect(badExpiry.stderr.trim()).toBe('error: --expires-in-days must be a positive whole number, got "soon"');
  });
});
