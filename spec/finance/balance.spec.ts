import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const INV = '/api/v2/finance/sales_invoices';
const RATES = '/api/v2/finance/exchange_rates';
const today = () => new Date().toISOString().slice(0, 10);

async function account(name: string): Promise<number> {
  return (await t.as().post('/api/v2/crm/accounts').send({ name, company_id: 1 })).body.id;
}
async function invoice(accountId: number, currency_code: string, total: number | string, extra: Record<string, unknown> = {}) {
  const res = await t.as().post(INV).send({ account_id: accountId, company_id: 1, currency_code, date: '2026-11-01', total, ...extra });
  expect(res.status).toBe(200);
  return res.body;
}
const balanceOf = async (id: number, q = '') => (await t.as().get(`/api/v2/crm/accounts/${id}${q}`)).body;

describe('account balance', () => {
  beforeAll(async () => {
    expect((await t.as().post(RATES).send({ currency_code: 'USD', rate: 1.25, valid_from: '2026-01-01' })).status).toBe(201);
    expect((await t.as().post(RATES).send({ currency_code: 'EUR', rate: '1.15', valid_from: '2026-01-01' })).status).toBe(201);
  });

  it('when an account has no invoices, then balance is {} and converted_balance null (0 with display_currency)', async () => {
    const id = await account('Empty');
    expect(await balanceOf(id)).toMatchObject({ balance: {}, converted_balance: null });
    expect(await balanceOf(id, '?display_currency=USD')).toMatchObject({ balance: {}, converted_balance: 0 });
  });

  it("when the seed's example is reproduced (GBP 3241, EUR 1234) with GBP 1 = USD 1.25 = EUR 1.15, then USD 5392.55", async () => {
    const id = await account('Seed');
    await invoice(id, 'GBP', 3000);
    await invoice(id, 'GBP', 241);
    await invoice(id, 'EUR', 1234);
    const body = await balanceOf(id, '?display_currency=USD');
    expect(body.balance).toEqual({ EUR: 1234, GBP: 3241 });
    // GBP 3241 × 1.25 = 4051.25; EUR 1234 ÷ 1.15 = GBP 1073.043478 × 1.25 = USD 1341.304348;
    // 4051.25 + 1341.304348 = 5392.554348 → rounded once: 5392.55.
    expect(body.converted_balance).toBe(5392.55);
    expect((await balanceOf(id, '?display_currency=gbp')).converted_balance).toBe(4314.04); // 3241 + 1073.043478
    expect((await balanceOf(id)).converted_balance).toBeNull();
    const list = await t.as().get(`/api/v2/crm/accounts?id=${id}`);
    expect(list.body[0].balance).toBeUndefined();
  });

  it('when amounts sit at the top of numeric(18,4), then balance and conversion are exact up to the JSON number', async () => {
    const id = await account('Extremes');
    await invoice(id, 'GBP', '99999999999999.99');
    await invoice(id, 'GBP', '99999999999999.99');
    await invoice(id, 'EUR', '12345678901.12');
    const body = await balanceOf(id, '?display_currency=USD');
    // Worked in decimal by hand: 199999999999999.98 × 1.25 = 249999999999999.975;
    // 12345678901.12 ÷ 1.15 = 10735372957.495652 (6 dp) × 1.25 = 13419216196.869565;
    // sum 250013419216196.844565 → 250013419216196.84, sent as the nearest JSON number.
    expect(body.balance).toEqual({ EUR: 12345678901.12, GBP: Number('199999999999999.98') });
    expect(body.converted_balance).toBe(Number('250013419216196.84'));
  });

  it('when a thousand 0.1 and 0.2 invoices add up, then the balance is exact (no float drift)', async () => {
    const id = await account('Drift');
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      org_id: 1, account_id: id, company_id: 1, currency_code: 'GBP', date: '2026-11-01', total: i % 2 ? '0.1' : '0.2',
    }));
    await t.knex.batchInsert('sales_invoices', rows, 500);
    expect(0.1 + 0.2).not.toBe(0.3);
    expect((await balanceOf(id)).balance).toEqual({ GBP: 150 });
    await invoice(id, 'GBP', '0.01');
    expect((await balanceOf(id)).balance).toEqual({ GBP: 150.01 });
  });

  it('when invoices are part-paid, fully paid, void or deleted, then only what is owed counts', async () => {
    const id = await account('Mixed');
    const part = await invoice(id, 'GBP', 100);
    const full = await invoice(id, 'GBP', 50);
    const voided = await invoice(id, 'EUR', 70);
    const deleted = await invoice(id, 'USD', 30);
    await invoice(id, 'USD', 12.5);
    expect((await t.as().put(`${INV}/${part.id}`).send({ amount_paid: 40.5 })).body).toMatchObject({ status: 'open', outstanding: 59.5 });
    expect((await t.as().put(`${INV}/${full.id}`).send({ status: 'paid' })).body).toMatchObject({ status: 'paid', amount_paid: 50, outstanding: 0 });
    expect((await t.as().put(`${INV}/${voided.id}`).send({ status: 'void' })).body).toMatchObject({ status: 'void', outstanding: 0 });
    expect((await t.as().delete(`${INV}/${deleted.id}`)).body.is_deleted).toBe(true);
    expect((await balanceOf(id)).balance).toEqual({ GBP: 59.5, USD: 12.5 });
  });

  it('when an amount has more decimals than its currency, or amount_paid exceeds the total, then 400 names the field', async () => {
    const id = await account('Strict');
    const jpy = await t.as().post(INV).send({ account_id: id, company_id: 1, currency_code: 'JPY', date: '2026-11-01', total: 10.5 });
    expect(jpy.status).toBe(400);
    expect(jpy.body.error.details[0]).toEqual({ field: 'total', message: expect.stringContaining('0') });
    const inv = await invoice(id, 'GBP', 10);
    const over = await t.as().put(`${INV}/${inv.id}`).send({ amount_paid: 10.01 });
    expect(over.status).toBe(400);
    expect(over.body.error.details[0].field).toBe('amount_paid');
  });

  it('when rates are missing, stale, future-dated or crossed, then conversion follows the rate valid today', async () => {
    const id = await account('Rates');
    await invoice(id, 'CHF', 100);
    const missing = await t.as().get(`/api/v2/crm/accounts/${id}?display_currency=USD`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('missing_exchange_rate');
    expect(missing.body.error.message).toContain('CHF');

    await t.as().post(RATES).send({ currency_code: 'CHF', rate: 1.1, valid_from: '2020-01-01' }); // stale, still the latest
    await t.as().post(RATES).send({ currency_code: 'CHF', rate: 9.99, valid_from: '2999-01-01' }); // future: ignored
    // CHF 100 ÷ 1.1 = GBP 90.909091; × EUR 1.15 = EUR 104.545455 → 104.55 (cross rate through GBP).
    expect((await balanceOf(id, '?display_currency=EUR')).converted_balance).toBe(104.55);
    expect((await balanceOf(id, '?display_currency=GBP')).converted_balance).toBe(90.91);

    const bad = await t.as().get(`/api/v2/crm/accounts/${id}?display_currency=XYZ`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('display_currency');
    expect((await t.as().get(`/api/v2/crm/accounts/${id}?display_currency=12`)).status).toBe(400);
  });

  it('when rates are set badly, then 400 names the field; non-admins get 403', async () => {
    for (const [body, field] of [
      [{ currency_code: 'ZZZ', rate: 1 }, 'currency_code'],
      [{ currency_code: 'GBP', rate: 1 }, 'currency_code'],
      [{ currency_code: 'EUR', rate: -1 }, 'rate'],
      [{ currency_code: 'EUR', rate: 1, valid_from: '2026-02-30' }, 'valid_from'],
    ] as const) {
      const res = await t.as().post(RATES).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const user = await t.addUser();
    expect((await t.as(user).post(RATES).send({ currency_code: 'EUR', rate: 1 })).status).toBe(403);
    const list = await t.as().get(RATES);
    expect(list.body).toEqual(expect.arrayContaining([{ currency_code: 'EUR', base_currency: 'GBP', rate: 1.15, valid_from: '2026-01-01' }]));
    expect(today()).toMatch(/^\d{4}/);
  });

  it('when an account has 10,000 invoices, then the balance is right', async () => {
    const id = await account('Big');
    const rows = Array.from({ length: 10000 }, (_, i) => ({
      org_id: 1, account_id: id, company_id: 1, currency_code: ['GBP', 'EUR', 'USD'][i % 3], date: '2026-11-01', total: '1.01', amount_paid: i % 10 === 0 ? '1.01' : '0',
    }));
    await t.knex.batchInsert('sales_invoices', rows, 1000);
    // GBP gets 3334 invoices (334 paid), EUR and USD 3333 each (333 paid): 3000 × 1.01 open in each.
    const body = await balanceOf(id, '?display_currency=GBP');
    expect(body.balance).toEqual({ EUR: 3030, GBP: 3030, USD: 3030 });
    // 3030 + 3030 / 1.15 (2634.782609) + 3030 / 1.25 (2424) = 8088.782609 → 8088.78
    expect(body.converted_balance).toBe(8088.78);
  });
});
