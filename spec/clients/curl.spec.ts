import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTestApp, TestApp } from '../support/test-app';
import { listen } from '../support/listen';

const run = promisify(execFile);
let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
let login: string;

beforeAll(async () => {
  t = await makeTestApp();
  server = await listen(t.app);
  login = `${t.admin.email}:${t.admin.password}`;
});
afterAll(async () => {
  await server.close();
  await t.close();
});

/** The seed's curl lines, word for word but for the host (and shell quoting done by execFile). */
async function curl(...args: string[]) {
  const { stdout } = await run('curl', ['-s', ...args]);
  return JSON.parse(stdout);
}

describe('the seed document\'s curl commands against a started server', () => {
  it('when the documented create, get, update and delete commands run, then each answers as documented', async () => {
    const url = `${server.base}/api/v2/crm/accounts`;
    // Six creates, so the seed's ids 1, 4 and 6 exist.
    const created = [];
    for (let i = 0; i < 6; i++) {
      created.push(
        await curl(url, '-H', 'Content-Type: application/json', '-k', '-u', login, '-X', 'POST', '-d', '{"is_customer": true, "name": "My account", "company_id": 1}'),
      );
    }
    expect(created.map((a) => a.name)).toEqual(Array(6).fill('My account'));
    const ids = created.map((a) => a.id);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);

    const got = await curl(`${url}/4`, '-k', '-u', login);
    expect(got).toMatchObject({ id: 4, name: 'My account', is_customer: true, balance: {}, converted_balance: null, company: { code: 'ACM' } });

    const list = await curl(url, '-k', '-u', login);
    expect(list.map((a: { id: number }) => a.id)).toEqual(ids);

    const put = await curl(`${url}/6`, '-H', 'Content-Type: application/json', '-k', '-u', login, '-X', 'PUT', '-d', '{"name": "My new value for name"}');
    expect(put).toMatchObject({ id: 6, name: 'My new value for name' });

    const del = await curl(`${url}/1`, '-X', 'DELETE', '-k', '-u', login);
    expect(del).toMatchObject({ id: 1, is_deleted: true, name: 'My account' });
    const after = await curl(url, '-k', '-u', login);
    expect(after.map((a: { id: number }) => a.id)).toEqual([2, 3, 4, 5, 6]);
  });

  it('when curl sends no credentials, then it gets the JSON 401', async () => {
    const { stdout } = await run('curl', ['-s', '-i', `${server.base}/api/v2/crm/accounts`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 401/);
    expect(stdout).toContain('WWW-Authenticate: Basic realm="v2crm"');
    expect(stdout).toContain('"code":"unauthorized"');
  });
});
