import { clientAvailable, runScript } from '../support/clients';
import { listen } from '../support/listen';
import { makeTestApp, TestApp } from '../support/test-app';

// Debian's python3-requests installs for /usr/bin/python3, which a pyenv shim on PATH may shadow.
const candidates = [process.env.V2CRM_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
const python = candidates.find((c) => clientAvailable(`${c} with requests`, [c, '-c', 'import requests'], true)) ?? 'python3';
const available = clientAvailable('python3 with requests', [python, '-c', 'import requests']);

(available ? describe : describe.skip)('the Django-CRM accounts API from Python requests (spec/clients/scripts/djangocrm_accounts.py)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    t = await makeTestApp();
    server = await listen(t.app);
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('when the seed\'s documented calls run, then each answers in Django-CRM\'s shape and /api/v2/crm/accounts reads the same accounts', async () => {
    const seed = await t.as().post('/api/v2/crm/accounts').send({ name: 'Client Co', company_id: 1 });
    await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, account_id: seed.body.id, first_name: 'Cleo', email: 'contact@client.com' });
    const out = await runScript(python, 'djangocrm_accounts.py', { base: server.base, credentials: `${t.admin.email}:${t.admin.password}` }, ['contact@client.com']);
    expect(out.create).toEqual({ error: false, message: 'Account Created Successfully', id: expect.any(String) });
    expect(out.list_names).toEqual(['New Company Inc']);
    expect(out.list_count).toBe(1);
    expect(out.get).toEqual({ id: out.uuid_of_first, name: 'New Company Inc', industry: 'MANUFACTURING', billing_city: 'Chicago', billing_country: 'US', status: 'open' });
    expect(out.update).toEqual({ error: false, message: 'Account Updated Successfully' });
    expect(out.comment).toBe('Follow-up meeting scheduled for next week');
    expect(out.attachments).toEqual(['contract.pdf']);
    expect(out.edit_comment).toEqual({ error: false, message: 'Comment Submitted' });
    expect(out.delete_attachment).toEqual({ error: false, message: 'Attachment Deleted Successfully' });
    expect(out.mail).toEqual({ error: false, message: 'Email sent successfully', id: expect.any(String) });
    expect(out.delete).toEqual({ error: false, message: 'Account Deleted Successfully.' });
    expect(out.get_deleted_status).toBe(404);
    const n = parseInt(out.uuid_of_first.slice(-12), 16);
    const byId = new Map(out.v2.map((a: { id: number }) => [a.id, a]));
    expect(byId.get(n)).toEqual({ id: n, name: 'ACME Corporation Ltd', tel: '+1234567891', url: 'https://acme.com', address_town: 'Chicago', address_country: 'US', is_deleted: false, tags: null });
    expect(out.v2.find((a: { name: string }) => a.name === 'Short-lived')).toMatchObject({ is_deleted: true });
  });
});
