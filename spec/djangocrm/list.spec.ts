import { addDefinition } from '../../src/domain/custom-fields/service';
import { makeTestApp, TestApp } from '../support/test-app';
import { bearer, createAccount, encodeId, login, Session } from './support';

let t: TestApp;
let s: Session;
const ids: Record<string, string> = {};
let member: { id: number; email: string; password: string };

beforeAll(async () => {
  t = await makeTestApp();
  s = await login(t);
  member = await t.addUser();
  await addDefinition(t.knex, 1, 'crm/accounts', { type: 'string', label: 'Region' });
  ids.acme = await createAccount(t, s, { name: 'ACME Corporation', city: 'New York', industry: 'TECHNOLOGY', tags: ['enterprise'], custom_fields: { field_1: 'north' } });
  ids.acmeWest = await createAccount(t, s, { name: 'Acme West', city: 'San Francisco', industry: 'technology', tags: ['smb'] });
  ids.globex = await createAccount(t, s, { name: 'Globex', city: 'new york city', industry: 'Banking', assigned_to: [encodeId('profile', member.id)] });
  ids.closed = await createAccount(t, s, { name: 'Closed Acme', status: 'close' });
  for (let i = 0; i < 12; i++) await createAccount(t, s, { name: `Filler ${String(i).padStart(2, '0')}` });
});
afterAll(async () => t.close());

const list = (q = '') => bearer(t, s).get(`/api/accounts/${q}`);
const names = (body: any) => body.active_accounts.open_accounts.map((a: { name: string }) => a.name);

describe('GET /api/accounts/', () => {
  it('when listed without parameters, then both sections come with counts, 10 per page, newest first', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.per_page).toBe(10);
    expect(res.body.page_number).toBe(1);
    expect(res.body.active_accounts.open_accounts).toHaveLength(10);
    expect(res.body.active_accounts.open_accounts_count).toBe(15);
    expect(res.body.active_accounts.offset).toBe(10);
    expect(res.body.active_accounts.open_accounts[0].name).toBe('Filler 11');
    expect(res.body.closed_accounts).toMatchObject({ close_accounts_count: 1, offset: null });
    expect(res.body.closed_accounts.close_accounts[0].name).toBe('Closed Acme');
  });

  it('when limit and offset are given, then the page starts there and the next offset is null on the last page', async () => {
    const res = await list('?limit=4&offset=13');
    expect(names(res.body)).toEqual(['Acme West', 'ACME Corporation']);
    expect(res.body.active_accounts.offset).toBeNull();
    expect(res.body.page_number).toBe(2);
  });

  it('when the offset falls between pages, then the accounts still follow one another', async () => {
    const all = names((await list('?limit=15')).body);
    expect(names((await list('?limit=4&offset=3')).body)).toEqual(all.slice(3, 7));
  });

  it('when limit is not a positive number, then it falls back to 10', async () => {
    for (const bad of ['0', '-3', 'abc']) expect((await list(`?limit=${bad}`)).body.active_accounts.open_accounts).toHaveLength(10);
  });

  it('when name is given, then it matches contained text in any case', async () => {
    expect(names((await list('?name=acme')).body).sort()).toEqual(['ACME Corporation', 'Acme West']);
  });

  it('when city is given, then it matches contained text in any case', async () => {
    expect(names((await list('?city=NEW%20YORK')).body).sort()).toEqual(['ACME Corporation', 'Globex']);
  });

  it('when industry is given, then it matches in any case', async () => {
    expect(names((await list('?industry=technology')).body).sort()).toEqual(['ACME Corporation', 'Acme West']);
  });

  it('when tags are given by name and by id, repeated, then any of them matches', async () => {
    const detail = await bearer(t, s).get(`/api/accounts/${ids.acmeWest}/`);
    const smb = detail.body.account_obj.tags[0].id;
    expect(names((await list(`?tags=enterprise&tags=${smb}`)).body).sort()).toEqual(['ACME Corporation', 'Acme West']);
  });

  it('when a tag id names no tag, then nothing matches', async () => {
    expect(names((await list(`?tags=${encodeId('tag', 9999)}`)).body)).toEqual([]);
  });

  it('when assigned_to is given, then accounts assigned to that profile match', async () => {
    expect(names((await list(`?assigned_to=${encodeId('profile', member.id)}`)).body)).toEqual(['Globex']);
  });

  it('when assigned_to is not an id, then 400 in DRF\'s bare shape', async () => {
    const res = await list('?assigned_to=x');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ assigned_to: ["'x' is not a valid id."] });
  });

  it('when search is given, then it matches names', async () => {
    expect(names((await list('?search=globex')).body)).toEqual(['Globex']);
  });

  it('when created_at bounds are given as dates, then the day is included', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await list(`?created_at__gte=${today}&created_at__lte=${today}`)).body.active_accounts.open_accounts_count).toBe(15);
    expect((await list('?created_at__lte=2000-01-01')).body.active_accounts.open_accounts_count).toBe(0);
  });

  it('when a created_at bound is not a date, then 400 names it', async () => {
    const res = await list('?created_at__gte=yesterday');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ created_at__gte: ['Enter a valid date/time.'] });
  });

  it('when cf_<key> is given, then the custom field must equal it; an unknown key matches nothing', async () => {
    expect(names((await list('?cf_field_1=north')).body)).toEqual(['ACME Corporation']);
    expect(names((await list('?cf_nope=north')).body)).toEqual([]);
  });

  it('when filters are combined, then they AND', async () => {
    expect(names((await list('?name=acme&city=san')).body)).toEqual(['Acme West']);
  });

  it('when a member lists, then only accounts created by or assigned to them appear', async () => {
    const m = await login(t, member);
    const res = await bearer(t, m).get('/api/accounts/');
    expect(names(res.body)).toEqual(['Globex']);
  });

  it('when the lookup lists are read, then they carry UUID ids', async () => {
    const res = await list();
    expect(res.body.users[0]).toEqual({ id: encodeId('profile', 1), user__email: t.admin.email });
    expect(res.body.industries).toContainEqual(['MANUFACTURING', 'Manufacturing']);
    expect(res.body.countries).toContainEqual(['US', 'United States']);
  });
});
