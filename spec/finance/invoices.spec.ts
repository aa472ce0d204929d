import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
let accountId: number;
beforeAll(async () => {
  t = await makeTestApp();
  accountId = (await t.as().post('/api/v2/crm/accounts').send({ name: 'Buyer', company_id: 1 })).body.id;
});
afterAll(() => t.close());

const INV = '/api/v2/finance/sales_invoices';

describe('sales invoices', () => {
  it('when an invoice is created from lines, then its total is their sum, rounded to the currency', async () => {
    const res = await t.as().post(INV).send({
      account_id: accountId, company_id: 1, currency_code: 'gbp', date: '2026-11-01', reference: 'INV-1',
      lines: [{ description: 'Seats', quantity: 3, unit_price: '19.99' }, { description: 'Fee', quantity: '0.5', unit_price: 0.015 }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ currency_code: 'GBP', total: 59.98, amount_paid: 0, outstanding: 59.98, status: 'open', reference: 'INV-1', is_deleted: false });
    expect(res.body.lines).toEqual([
      { description: 'Seats', quantity: 3, unit_price: 19.99, amount: 59.97 },
      { description: 'Fee', quantity: 0.5, unit_price: 0.015, amount: 0.01 },
    ]);
    const got = await t.as().get(`${INV}/${res.body.id}`);
    expect(got.body).toEqual(res.body);
  });

  it('when required fields are missing or references are foreign, then 400 names each', async () => {
    const missing = await t.as().post(INV).send({ total: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['account_id', 'company_id', 'currency_code', 'date']);
    const noTotal = await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code: 'GBP', date: '2026-11-01' });
    expect(noTotal.body.error.details[0].field).toBe('total');
    const other = await t.addOrg();
    const theirAccount = (await t.as(other.admin).post('/api/v2/crm/accounts').send({ name: 'Theirs', company_id: other.companyId })).body.id;
    const foreign = await t.as().post(INV).send({ account_id: theirAccount, company_id: other.companyId, currency_code: 'QQQ', date: '2026-11-01', total: 1 });
    expect(foreign.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['account_id', 'company_id', 'currency_code']);
    const both = await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code: 'GBP', date: '2026-11-01', total: 1, lines: [] });
    expect(both.body.error.details[0].field).toBe('total');
    const badDate = await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code: 'GBP', date: '2026-13-01', total: 1 });
    expect(badDate.body.error.details[0].field).toBe('date');
  });

  it('when invoices are listed, then the query language filters them and deleted ones are left out', async () => {
    const a = (await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code: 'EUR', date: '2026-10-01', total: 10 })).body;
    const b = (await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code: 'EUR', date: '2026-10-02', total: '20.50' })).body;
    await t.as().delete(`${INV}/${a.id}`);
    const eur = await t.as().get(`${INV}?currency_code=EUR`);
    expect(eur.body.map((x: { id: number }) => x.id)).toEqual([b.id]);
    const big = await t.as().get(`${INV}?total__gt=20.4&currency_code__in=EUR,USD`);
    expect(big.body.map((x: { id: number }) => x.id)).toEqual([b.id]);
    const withDeleted = await t.as().get(`${INV}?currency_code=EUR&is_deleted__in=true,false&_order=-date`);
    expect(withDeleted.body.map((x: { id: number }) => x.id)).toEqual([b.id, a.id]);
    expect((await t.as().get(`${INV}?total__gt=abc`)).status).toBe(400);
    expect((await t.as().get(`${INV}/999999`)).status).toBe(404);
  });

  it('when an invoice is voided and reopened, then its status follows', async () => {
    const inv = (await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code: 'GBP', date: '2026-11-02', total: 5 })).body;
    expect((await t.as().post(`${INV}/${inv.id}`).send({ status: 'void' })).body.status).toBe('void');
    expect((await t.as().put(`${INV}/${inv.id}`).send({ description: 'still void' })).body.status).toBe('void');
    expect((await t.as().put(`${INV}/${inv.id}`).send({ status: 'open', amount_paid: 5 })).body.status).toBe('paid');
  });
});

describe('currencies', () => {
  it('when currencies are listed and filtered, then they have the seed shape', async () => {
    const res = await t.as().get('/api/v2/finance/currencies?code__in=GBP,EUR&_order=id');
    expect(res.body).toEqual([
      { code: 'GBP', name: 'British Pound Sterling', symbol: '£', html_code: null, id: 1, is_base: true },
      { code: 'EUR', name: 'Euro', symbol: '€', html_code: null, id: 2, is_base: false },
    ]);
    expect((await t.as().get('/api/v2/finance/currencies/usd')).body).toMatchObject({ code: 'USD', name: 'US Dollar', symbol: '$' });
    expect((await t.as().get('/api/v2/finance/currencies/XYZ')).status).toBe(404);
    const all = await t.as().get('/api/v2/finance/currencies');
    expect(all.body.length).toBeGreaterThan(150);
  });
});
