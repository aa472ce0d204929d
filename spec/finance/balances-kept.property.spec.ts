import fc from 'fast-check';
import { makeTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120000);

/**
 * account_balances is kept by a trigger on sales_invoices (migrations/017_account_balances.ts). After
 * any sequence of invoice writes, including ones no route makes (an invoice moved to another account
 * or currency, a row deleted outright), it must equal the sum over the invoices themselves, and an
 * account read must show that sum.
 */
let t: TestApp;
let accounts: number[];
beforeAll(async () => {
  t = await makeTestApp();
  accounts = [];
  for (const name of ['A', 'B']) accounts.push((await t.as().post('/api/v2/crm/accounts').send({ name, company_id: 1 }).expect(200)).body.id);
});
afterAll(() => t.close());

const CURRENCIES = ['GBP', 'EUR', 'USD'];
const amount = fc.integer({ min: 0, max: 10_000_00 }).map((c) => (c / 100).toFixed(2));

type Op =
  | { kind: 'insert'; account: number; currency: string; total: string; paidShare: number }
  | { kind: 'pay' | 'void' | 'reopen' | 'delete' | 'restore' | 'remove'; pick: number }
  | { kind: 'move'; pick: number; account: number; currency: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), account: fc.nat(1), currency: fc.constantFrom(...CURRENCIES), total: amount, paidShare: fc.constantFrom(0, 0.5, 1) }),
  fc.record({ kind: fc.constantFrom('pay' as const, 'void' as const, 'reopen' as const, 'delete' as const, 'restore' as const, 'remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), account: fc.nat(1), currency: fc.constantFrom(...CURRENCIES) }),
);

async function apply(o: Op): Promise<void> {
  const ids: number[] = await t.knex('sales_invoices').orderBy('id').pluck('id');
  if (o.kind === 'insert') {
    await t.knex('sales_invoices').insert({
      org_id: 1, company_id: 1, account_id: accounts[o.account], currency_code: o.currency, date: '2026-11-01',
      total: o.total, amount_paid: (Number(o.total) * o.paidShare).toFixed(2),
    });
    return;
  }
  if (ids.length === 0) return;
  const row = t.knex('sales_invoices').where({ id: ids[o.pick % ids.length] });
  if (o.kind === 'pay') await row.update({ amount_paid: t.knex.ref('total'), status: 'paid' });
  else if (o.kind === 'void') await row.update({ status: 'void' });
  else if (o.kind === 'reopen') await row.update({ status: 'open', amount_paid: 0 });
  else if (o.kind === 'delete') await row.update({ is_deleted: true });
  else if (o.kind === 'restore') await row.update({ is_deleted: false });
  else if (o.kind === 'remove') await row.delete();
  else if (o.kind === 'move') await row.update({ account_id: accounts[o.account], currency_code: o.currency });
}

it('when invoices are written in any way, then the kept balances equal the sum over the invoices and the account read shows it', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
      for (const o of ops) await apply(o);
      const summed = (
        await t.knex.raw(`SELECT account_id, currency_code, sum(total - amount_paid)::numeric AS owed FROM sales_invoices
                           WHERE NOT is_deleted AND status <> 'void' GROUP BY 1, 2 HAVING sum(total - amount_paid) <> 0 ORDER BY 1, 2`)
      ).rows.map((r: { account_id: number; currency_code: string; owed: string }) => [r.account_id, r.currency_code, Number(r.owed)]);
      const kept = (await t.knex.raw('SELECT account_id, currency_code, outstanding FROM account_balances WHERE outstanding <> 0 ORDER BY 1, 2')).rows.map(
        (r: { account_id: number; currency_code: string; outstanding: string }) => [r.account_id, r.currency_code, Number(r.outstanding)],
      );
      expect(kept).toEqual(summed);
      for (const id of accounts) {
        const shown = (await t.as().get(`/api/v2/crm/accounts/${id}`).expect(200)).body.balance;
        const expected = Object.fromEntries(summed.filter(([a]: [number]) => a === id).map(([, c, v]: [number, string, number]) => [c, v]));
        expect(shown).toEqual(expected);
      }
    }),
    { numRuns: 25 },
  );
});
