import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const A = '/api/v2/crm/accounts';
const create = async (body: Record<string, unknown>) => {
  const res = await t.as().post(A).send({ company_id: 1, ...body });
  expect(res.status).toBe(200);
  return res.body;
};
const ids = async (q: string) => (await t.as().get(`${A}?${q}&_order=id`)).body.map((a: { id: number }) => a.id);

describe('account relations: tags, industries, teams, assignees, status, references', () => {
  let team: number;
  let user: number;
  beforeAll(async () => {
    user = (await t.addUser()).id;
    team = (await t.as().post('/api/v2/crm/teams').send({ name: 'Key accounts', users: [user] })).body.id;
    for (const name of ['Manufacturing', 'Retail']) expect((await t.as().post('/api/v2/crm/industries').send({ name })).status).toBe(200);
  });

  it('when tags, industries, teams and assignees are written, then they come back and the version moves', async () => {
    const a = await create({ name: 'Hub', tags: ['enterprise', 'Manufacturing', 'enterprise'], industries: ['manufacturing'], teams: [team], assigned_to: [user] });
    expect(a.tags).toEqual(['Manufacturing', 'enterprise']);
    expect(a.industries).toEqual([{ id: expect.any(Number), name: 'Manufacturing' }]);
    expect(a).toMatchObject({ teams: [team], assigned_to: [user], status: 'open' });
    const before = await t.as().get(`${A}/${a.id}`);
    const changed = await t.as().put(`${A}/${a.id}`).send({ tags: ['vip'] });
    expect(changed.body.tags).toEqual(['vip']);
    expect(changed.headers.etag).not.toBe(before.headers.etag);
    expect(changed.body.updated > before.body.updated).toBe(true);
    const cleared = await t.as().put(`${A}/${a.id}`).send({ tags: null, teams: [], assigned_to: [], industries: [] });
    expect(cleared.body).toMatchObject({ tags: null, teams: [], assigned_to: [], industries: [] });
    const form = await t.as().put(`${A}/${a.id}`).type('form').send('tags[]=x&tags[]=y&status=closed');
    expect(form.body).toMatchObject({ tags: ['x', 'y'], status: 'closed' });
    // Every relation change is in the history, old → new.
    const history = (await t.as().get(`${A}/${a.id}/history`)).body;
    expect(history[0].changes).toMatchObject({ tags: { old: [], new: ['Manufacturing', 'enterprise'] }, industries: { old: [], new: ['Manufacturing'] }, teams: { old: [], new: [team] } });
    expect(history[1].changes).toEqual({ tags: { old: ['Manufacturing', 'enterprise'], new: ['vip'] } });
    expect(history[2].changes).toMatchObject({ tags: { old: ['vip'], new: [] }, teams: { old: [team], new: [] }, assigned_to: { old: [user], new: [] } });
    expect(history[3].changes).toEqual({ status: { old: 'open', new: 'closed' }, tags: { old: [], new: ['x', 'y'] } });
  });

  it('when the seed filters are used (city, industry, tags, assigned_to, teams, status), then they match case-insensitively and combine', async () => {
    const leeds = await create({ name: 'Leeds Widgets', address_town: 'Leeds', tags: ['Enterprise'], industries: ['Retail'] });
    const york = await create({ name: 'York Widgets', billing_address_town: 'york', tags: ['smb'], teams: [team], status: 'closed' });
    const mine = await create({ name: 'Assigned', shipping_address_town: 'LEEDS', assigned_to: [user] });
    expect(await ids('city=leeds')).toEqual([leeds.id, mine.id]);
    expect(await ids('city__in=York,Leeds')).toEqual([leeds.id, york.id, mine.id]);
    expect(await ids('city__ne=leeds&name__ct=widgets')).toEqual([york.id]);
    expect(await ids('tags=enterprise')).toEqual([leeds.id]);
    expect(await ids('tags__in=ENTERPRISE,smb')).toEqual([leeds.id, york.id]);
    expect(await ids('industry=retail')).toEqual([leeds.id]);
    expect(await ids('industry__isnull=true&name__ct=widgets')).toEqual([york.id]);
    expect(await ids(`assigned_to=${user}`)).toEqual([mine.id]);
    expect(await ids(`teams=${team}`)).toEqual([york.id]);
    expect(await ids(`teams__ni=${team}&name__ct=widgets`)).toEqual([leeds.id]);
    expect(await ids('status=closed&name__ct=widgets')).toEqual([york.id]);
    expect(await ids('name__ct=WIDG&status=open')).toEqual([leeds.id]);
    const bad = await t.as().get(`${A}?teams=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('teams');
    expect((await t.as().get(`${A}?_order=tags`)).status).toBe(400);
    expect((await t.as().get(`${A}?status__eq=closed&_page=1`)).headers['x-pagination-total']).toBeDefined();
  });

  it('when references are unknown or foreign, then 400 names each field (with its position in a list)', async () => {
    const other = await t.addOrg();
    const theirContact = (await t.as(other.admin).post('/api/v2/crm/contacts').send({ company_id: other.companyId, last_name: 'Theirs' })).body.id;
    const res = await t.as().post(A).send({
      company_id: 1, name: 'Refs', primary_contact_id: theirContact, initial_contact_id: 999999, parent_id: 999999,
      teams: [team, 999999], assigned_to: [other.admin.id], industries: ['Basket weaving'], status: 'pending',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['status']);
    const res2 = await t.as().post(A).send({
      company_id: 1, name: 'Refs', primary_contact_id: theirContact, initial_contact_id: 999999, parent_id: 999999,
      teams: [team, 999999], assigned_to: [other.admin.id], industries: ['Basket weaving'],
    });
    expect(res2.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['assigned_to[0]', 'industries[0]', 'initial_contact_id', 'parent_id', 'primary_contact_id', 'teams[1]'],
    );
  });

  it('when a parent would make a cycle, then 400 names parent_id; a proper tree is fine', async () => {
    const root = await create({ name: 'Root' });
    const child = await create({ name: 'Child', parent_id: root.id });
    const grandchild = await create({ name: 'Grandchild', parent_id: child.id });
    expect(grandchild.parent_id).toBe(child.id);
    const self = await t.as().put(`${A}/${root.id}`).send({ parent_id: root.id });
    expect(self.status).toBe(400);
    expect(self.body.error.details[0]).toMatchObject({ field: 'parent_id', message: expect.stringMatching(/own parent/) });
    const cycle = await t.as().put(`${A}/${root.id}`).send({ parent_id: grandchild.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.details[0]).toMatchObject({ field: 'parent_id', message: expect.stringMatching(/cycle/) });
    expect((await t.as().put(`${A}/${grandchild.id}`).send({ parent_id: root.id })).status).toBe(200);
  });

  it('when an account is read with ?expand=contacts,invoices, then its related records come embedded', async () => {
    const a = await create({ name: 'Expanded' });
    const c = (await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, account_id: a.id, last_name: 'Embedded' })).body;
    const inv = (await t.as().post('/api/v2/finance/sales_invoices').send({ account_id: a.id, company_id: 1, currency_code: 'GBP', date: '2026-11-01', total: 12.5 })).body;
    const note = (await t.as().post(`${A}/${a.id}/comments`).send({ comment: 'embedded too' })).body;
    const res = await t.as().get(`${A}/${a.id}?expand=contacts,invoices,comments,attachments`);
    expect(res.body.contacts).toEqual([c]);
    expect(res.body.invoices).toEqual([inv]);
    expect(res.body.comments).toEqual([note]);
    expect(res.body.attachments).toEqual([]);
    expect(res.body.balance).toEqual({ GBP: 12.5 });
    const plain = await t.as().get(`${A}/${a.id}`);
    expect(plain.body.contacts).toBeUndefined();
    expect(plain.headers.etag).not.toBe(res.headers.etag);
    const bad = await t.as().get(`${A}/${a.id}?expand=opportunities`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('expand');
    expect((await t.as().get(`${A}/${a.id}/invoices`)).body).toEqual([inv]);
    expect((await t.as().get(`${A}/999999/contacts`)).status).toBe(404);
  });

  it('when teams and industries are managed, then only admins may, and names are unique', async () => {
    const plain = await t.addUser();
    expect((await t.as(plain).post('/api/v2/crm/teams').send({ name: 'Mine' })).status).toBe(403);
    expect((await t.as(plain).post('/api/v2/crm/industries').send({ name: 'Mine' })).status).toBe(403);
    expect((await t.as(plain).get('/api/v2/crm/teams')).status).toBe(200);
    expect((await t.as().post('/api/v2/crm/teams').send({ name: 'key ACCOUNTS' })).status).toBe(409);
    expect((await t.as().post('/api/v2/crm/industries').send({ name: 'Retail' })).status).toBe(409);
    const t2 = (await t.as().post('/api/v2/crm/teams').send({ name: 'Temp', users: [plain.id] })).body;
    expect((await t.as().get(`/api/v2/crm/teams?users=${plain.id}`)).body.map((x: { id: number }) => x.id)).toEqual([t2.id]);
    expect((await t.as().put(`/api/v2/crm/teams/${t2.id}`).send({ users: [999999] })).body.error.details[0].field).toBe('users[0]');
    expect((await t.as().put(`/api/v2/crm/teams/${t2.id}`).send({ users: [], description: 'gone soon' })).body).toMatchObject({ users: [], description: 'gone soon' });
    expect((await t.as().delete(`/api/v2/crm/teams/${t2.id}`)).status).toBe(200);
    expect((await t.as().get(`/api/v2/crm/teams/${t2.id}`)).status).toBe(404);
  });
});
