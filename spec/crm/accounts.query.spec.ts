import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
/** name → id of the fixture accounts below. */
const ids: Record<string, number> = {};

const FIXTURES = [
  { name: 'Acme', tel: '100', is_customer: true, default_approver: 1, customer_since: '2020-01-01', address_town: 'Leeds', custom_fields: { field_1: 10, field_2: 'north', field_3: true } },
  { name: 'Globex', tel: '200', is_customer: false, default_approver: 2, customer_since: '2021-06-15', address_town: 'York', custom_fields: { field_1: 20, field_2: 'south', field_3: false } },
  { name: 'Initech', tel: null, is_customer: true, default_approver: 2, customer_since: null, address_town: 'leeds', custom_fields: { field_1: 30 } },
  { name: '50% off_sale', tel: '300', is_customer: false, default_approver: 3, customer_since: '2022-12-31', address_town: 'Hull', custom_fields: {} },
  { name: 'Smith, John', tel: '400', is_customer: true, default_approver: 0, customer_since: '2019-03-03', address_town: 'York', custom_fields: { field_2: 'north' } },
  { name: 'Ünïcödé Ltd', tel: '500', is_customer: false, default_approver: 5, customer_since: '2023-07-07', address_town: null, custom_fields: { field_1: 5 } },
];

beforeAll(async () => {
  t = await makeTestApp();
  await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'integer', label: 'Seats' });
  await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'string', label: 'Region' });
  await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'boolean', label: 'VIP' });
  for (const f of FIXTURES) {
    const res = await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, ...f });
    expect(res.status).toBe(200);
    ids[f.name] = res.body.id;
  }
  // A soft-deleted one, which only an is_deleted filter brings back.
  const gone = await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Deleted Co', tel: '100' });
  ids['Deleted Co'] = gone.body.id;
  await t.as().delete(`/api/v2/crm/accounts/${gone.body.id}`);
});
afterAll(() => t.close());

async function names(query: string): Promise<string[]> {
  const res = await t.as().get(`/api/v2/crm/accounts?${query}`);
  if (res.status !== 200) throw new Error(`${query} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.map((a: { name: string }) => a.name);
}

const sorted = (xs: string[]) => [...xs].sort();

describe('filters by operator and type, over HTTP', () => {
  const cases: [string, string[]][] = [
    // integer
    ['default_approver=2', ['Globex', 'Initech']],
    ['default_approver__eq=2', ['Globex', 'Initech']],
    ['default_approver__ne=2', ['Acme', '50% off_sale', 'Smith, John', 'Ünïcödé Ltd']],
    ['default_approver__lt=2', ['Acme', 'Smith, John']],
    ['default_approver__lte=1', ['Acme', 'Smith, John']],
    ['default_approver__le=1', ['Acme', 'Smith, John']],
    ['default_approver__gt=2', ['50% off_sale', 'Ünïcödé Ltd']],
    ['default_approver__gte=3', ['50% off_sale', 'Ünïcödé Ltd']],
    ['default_approver__ge=3', ['50% off_sale', 'Ünïcödé Ltd']],
    ['default_approver__in=0,5', ['Smith, John', 'Ünïcödé Ltd']],
    ['default_approver__notin=0,1,2,3', ['Ünïcödé Ltd']],
    ['default_approver__ni=0,1,2,3', ['Ünïcödé Ltd']],
    // boolean
    ['is_customer=true', ['Acme', 'Initech', 'Smith, John']],
    ['is_customer__eq=1', ['Acme', 'Initech', 'Smith, John']],
    ['is_customer__ne=true', ['Globex', '50% off_sale', 'Ünïcödé Ltd']],
    ['is_customer__eq=0', ['Globex', '50% off_sale', 'Ünïcödé Ltd']],
    // string
    ['name__eq=Acme', ['Acme']],
    ['name__eq=acme', []],
    ['name__in=Acme,Globex', ['Acme', 'Globex']],
    ['name__in=%22Smith%2C%20John%22,Acme', ['Acme', 'Smith, John']],
    ['name__in=Smith\\%2C%20John', ['Smith, John']],
    ['name__ct=LOB', ['Globex']],
    ['name__ct=%25', ['50% off_sale']],
    ['name__ct=_', ['50% off_sale']],
    ['name__sw=ac', ['Acme']],
    ['name__ew=LTD', ['Ünïcödé Ltd']],
    ['name__ct=%C3%BCn%C3%AF', ['Ünïcödé Ltd']],
    ['name__lk=%25e%25', ['Acme', 'Globex', 'Initech', '50% off_sale']],
    ['name__lk=_cme', ['Acme']],
    ['name__nl=%25e%25', ['Smith, John', 'Ünïcödé Ltd']],
    ['address_town__eq=York', ['Globex', 'Smith, John']],
    ['address_town__ct=leeds', ['Acme', 'Initech']],
    ['tel__gt=250', ['50% off_sale', 'Smith, John', 'Ünïcödé Ltd']],
    // null
    ['tel__isnull=true', ['Initech']],
    ['address_town__isnull=false&customer_since__isnull=false', ['Acme', 'Globex', '50% off_sale', 'Smith, John']],
    // date
    ['customer_since__eq=2020-01-01', ['Acme']],
    ['customer_since__gt=2021-01-01', ['Globex', '50% off_sale', 'Ünïcödé Ltd']],
    ['customer_since__lt=2020-01-01', ['Smith, John']],
    ['customer_since__in=2019-03-03,2023-07-07', ['Smith, John', 'Ünïcödé Ltd']],
    // datetime (all were created just now)
    ['created__gt=2000-01-01T00:00:00', FIXTURES.map((f) => f.name)],
    ['updated__gt=2000-01-01T00:00:00Z', FIXTURES.map((f) => f.name)],
    ['created__lt=2000-01-01T00:00:00%2B02:00', []],
    ['updated__lt=2999-01-01', FIXTURES.map((f) => f.name)],
    // custom fields
    ['custom_fields.field_1__eq=10', ['Acme']],
    ['custom_fields.field_1__in=10,30', ['Acme', 'Initech']],
    ['custom_fields.field_1__gt=10', ['Globex', 'Initech']],
    ['custom_fields.field_1__lte=10', ['Acme', 'Ünïcödé Ltd']],
    ['custom_fields.field_1__isnull=true', ['50% off_sale', 'Smith, John']],
    ['custom_fields.field_2=north', ['Acme', 'Smith, John']],
    ['custom_fields.field_2__sw=SO', ['Globex']],
    ['custom_fields.field_3__eq=true', ['Acme']],
    ['custom_fields.field_3__ne=true', ['Globex']],
    // combined (AND)
    ['is_customer=true&address_town__ct=leeds', ['Acme', 'Initech']],
    ['name__in=Acme,Globex&is_customer__eq=true', ['Acme']],
    ['default_approver__gt=0&default_approver__lt=3', ['Acme', 'Globex', 'Initech']],
    // soft-deleted
    ['tel=100', ['Acme']],
    ['tel=100&is_deleted=true', ['Deleted Co']],
    ['tel=100&is_deleted__in=true,false', ['Acme', 'Deleted Co']],
  ];
  it.each(cases)('when ?%s, then exactly the expected accounts', async (query, expected) => {
    expect(sorted(await names(query))).toEqual(sorted(expected));
  });

  it('when the id operators are used, then the exact ids come back', async () => {
    const acme = ids.Acme;
    const res = await t.as().get(`/api/v2/crm/accounts?id__gt=${acme}&id__lte=${acme + 2}&_order=id`);
    expect(res.body.map((a: { id: number }) => a.id)).toEqual([acme + 1, acme + 2]);
    const inList = await t.as().get(`/api/v2/crm/accounts?id__in=${ids.Globex},${ids['Smith, John']}`);
    expect(inList.body.map((a: { id: number }) => a.id)).toEqual([ids.Globex, ids['Smith, John']]);
  });
});

describe('ordering', () => {
  it('when ordered by a field with ties, then ties follow id, ascending and descending', async () => {
    expect(await names('_order=default_approver')).toEqual(['Smith, John', 'Acme', 'Globex', 'Initech', '50% off_sale', 'Ünïcödé Ltd']);
    expect(await names('_order=-default_approver')).toEqual(['Ünïcödé Ltd', '50% off_sale', 'Globex', 'Initech', 'Acme', 'Smith, John']);
    expect(await names('_order=-is_customer,name')).toEqual(['Acme', 'Initech', 'Smith, John', '50% off_sale', 'Globex', 'Ünïcödé Ltd']);
  });

  it('when ordered by a nullable field, then nulls come last both ways', async () => {
    const asc = await names('_order=customer_since');
    const desc = await names('_order=-customer_since');
    expect(asc[asc.length - 1]).toBe('Initech');
    expect(desc[desc.length - 1]).toBe('Initech');
    expect(asc[0]).toBe('Smith, John');
    expect(desc[0]).toBe('Ünïcödé Ltd');
  });

  it('when ordered by a custom field, then by its typed value', async () => {
    expect(await names('_order=-custom_fields.field_1')).toEqual(['Initech', 'Globex', 'Acme', 'Ünïcödé Ltd', '50% off_sale', 'Smith, John']);
  });

  it('when _order=-id, then newest first', async () => {
    const all = await names('_order=-id');
    expect(all[0]).toBe('Ünïcödé Ltd');
    expect(all[all.length - 1]).toBe('Acme');
  });
});

describe('errors name the parameter', () => {
  const bad: [string, string, string][] = [
    ['nmae=Acme', 'nmae', 'unknown field'],
    ['name__like=Acme', 'name__like', 'unknown operator'],
    ['is_customer__ct=tr', 'is_customer__ct', 'does not apply'],
    ['default_approver__eq=abc', 'default_approver__eq', 'integer'],
    ['default_approver__eq=99999999999', 'default_approver__eq', 'integer'],
    ['is_customer=yes', 'is_customer', 'true, false'],
    ['customer_since__gt=2020-02-30', 'customer_since__gt', 'date'],
    ['created__gt=yesterday', 'created__gt', 'datetime'],
    ['id__in=', 'id__in', 'at least one'],
    ['name__in=%22open', 'name__in', 'quote'],
    ['tel__isnull=maybe', 'tel__isnull', 'true or false'],
    ['_limit=0', '_limit', 'from 1'],
    ['_limit=-5', '_limit', 'from 1'],
    ['_limit=abc', '_limit', 'from 1'],
    ['_limit=10001', '_limit', '10000'],
    ['_limit=5&_limit=6', '_limit', 'only once'],
    ['_page=0', '_page', 'from 1'],
    ['_order=nmae', '_order', 'unknown field'],
    ['_order=name,-name', '_order', 'twice'],
    ['_sort=name', '_sort', 'allowed: _order, _limit, _page'],
    ['custom_fields.field_99=1', 'custom_fields.field_99', 'unknown custom field'],
    ['custom_fields.field_1__eq=ten', 'custom_fields.field_1__eq', 'integer'],
    ['custom_fields.field_1__ct=1', 'custom_fields.field_1__ct', 'does not apply'],
    ['name__lk=abc%5C', 'name__lk', 'lone backslash'],
  ];
  it.each(bad)('when ?%s, then 400 naming %s', async (query, param, hint) => {
    const res = await t.as().get(`/api/v2/crm/accounts?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_query');
    expect(res.body.error.details).toEqual([{ field: param, message: expect.stringContaining(hint) }]);
    expect(JSON.stringify(res.body)).not.toMatch(/\bselect\b|\bwhere\b|\$\d|accounts\./i);
  });

  it('when the jQuery cache buster _ is sent, then it is ignored', async () => {
    expect(sorted(await names('_=1700000000&name=Acme'))).toEqual(['Acme']);
  });
});

describe('paging', () => {
  let bulkIds: number[];
  beforeAll(async () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({ org_id: 1, company_id: 1, name: `Bulk ${String(i).padStart(3, '0')}`, source: 'bulk' }));
    const inserted: { id: number }[] = await t.knex('accounts').insert(rows).returning('id');
    bulkIds = inserted.map((r) => r.id);
  });

  it('when a client loops id__gt/_order=id/_limit=100 until an empty page, then it sees every record exactly once', async () => {
    const seen: number[] = [];
    let last = 0;
    let requests = 0;
    for (;;) {
      const res = await t.as().get(`/api/v2/crm/accounts?source=bulk&id__gt=${last}&_order=id&_limit=100`);
      requests++;
      if (res.body.length === 0) break;
      seen.push(...res.body.map((a: { id: number }) => a.id));
      last = seen[seen.length - 1];
    }
    expect(requests).toBe(4);
    expect(seen).toEqual([...bulkIds].sort((a, b) => a - b));
  });

  it('when _page is used, then pages of _limit (default 50) with X-Pagination headers', async () => {
    const res = await t.as().get('/api/v2/crm/accounts?source=bulk&_page=2&_order=name');
    expect(res.status).toBe(200);
    expect(res.headers['x-pagination-page']).toBe('2');
    expect(res.headers['x-pagination-per']).toBe('50');
    expect(res.headers['x-pagination-total']).toBe('250');
    expect(res.headers['x-pagination-pages']).toBe('5');
    expect(res.body.map((a: { name: string }) => a.name)).toEqual(Array.from({ length: 50 }, (_, i) => `Bulk ${String(50 + i).padStart(3, '0')}`));

    const last = await t.as().get('/api/v2/crm/accounts?source=bulk&_page=3&_limit=100&_order=-name');
    expect(last.headers['x-pagination-pages']).toBe('3');
    expect(last.body).toHaveLength(50);
    expect(last.body[49].name).toBe('Bulk 000');

    const beyond = await t.as().get('/api/v2/crm/accounts?source=bulk&_page=9');
    expect(beyond.body).toEqual([]);
    expect(beyond.headers['x-pagination-total']).toBe('250');
  });

  it('when a list has no _limit, then every match is streamed through the cursor in batches', async () => {
    // More rows than one cursor batch (1000), so the streamed path runs several FETCHes.
    const rows = Array.from({ length: 2300 }, (_, i) => ({ org_id: 1, company_id: 1, name: `Stream ${i}`, source: 'stream' }));
    await t.knex.batchInsert('accounts', rows, 500);
    const res = await t.as().get('/api/v2/crm/accounts?source=stream');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2300);
    expect(new Set(res.body.map((a: { id: number }) => a.id)).size).toBe(2300);
    expect(res.body[0].company.code).toBe('ACM');
  });
});
