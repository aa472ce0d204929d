import { makeTestApp, TestApp } from '../support/test-app';
import { listen } from '../support/listen';
import { runScript } from '../support/clients';

/**
 * The seed's five snippets (create, get, list, update, delete) in one language, run as child
 * processes against a started server, in the order the seed's ids need: six creates first.
 */
export function seedSnippetSuite(language: string, cmd: string, ext: string, available: boolean) {
  const d = available ? describe : describe.skip;
  d(`the seed's ${language} snippets against a started server`, () => {
    let t: TestApp;
    let server: Awaited<ReturnType<typeof listen>>;
    let env: { base: string; credentials: string };
    beforeAll(async () => {
      t = await makeTestApp();
      server = await listen(t.app);
      env = { base: server.base, credentials: `${t.admin.email}:${t.admin.password}` };
    });
    afterAll(async () => {
      await server.close();
      await t.close();
    });

    it(`when the ${language} create, get, list, update and delete snippets run, then each prints the documented record`, async () => {
      const created = [];
      for (let i = 0; i < 6; i++) created.push(await runScript(cmd, `seed_create.${ext}`, env));
      expect(created.map((a) => a.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(created[0]).toMatchObject({ name: 'My account', is_customer: true, balance: {}, company: { id: 1, code: 'ACM' } });

      const got = await runScript(cmd, `seed_get.${ext}`, env);
      expect(got).toMatchObject({ id: 4, name: 'My account', converted_balance: null });

      const list = await runScript(cmd, `seed_list.${ext}`, env);
      expect(list.map((a: { id: number }) => a.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(list[0].balance).toBeUndefined();

      const updated = await runScript(cmd, `seed_update.${ext}`, env);
      expect(updated).toMatchObject({ id: 6, name: 'My new value for name' });

      const deleted = await runScript(cmd, `seed_delete.${ext}`, env);
      expect(deleted).toMatchObject({ id: 1, is_deleted: true });
    });

    it(`when the ${language} ERP sync job pages, creates, updates and deletes, then it sees every account exactly once`, async () => {
      for (let i = 0; i < 25; i++) await t.as().post('/api/v2/crm/accounts').send({ name: `Existing ${i}`, company_id: 1 });
      const existing = (await t.as().get('/api/v2/crm/accounts?_order=id')).body.map((a: { id: number }) => a.id);
      const out = await runScript(cmd, `erp_sync.${ext}`, env, ['7', '6']);
      expect(out.before).toEqual(existing);
      expect(out.created).toHaveLength(6);
      expect(out.updated).toEqual([0, 1, 2, 3, 4, 5].map((i) => expect.stringContaining(`${i} (synced)`)));
      expect(out.deleted).toEqual([out.created[0], out.created[2], out.created[4]]);
      const survivors = [out.created[1], out.created[3], out.created[5]];
      expect(out.after).toEqual([...existing, ...survivors]);
      expect(new Set(out.after).size).toBe(out.after.length);
    });
  });
}
