import { makeTestApp, TestApp } from '../support/test-app';

/** "A write that changes nothing changes nothing": no version, ETag or `updated` move, no history row. */
let t: TestApp;
let team: number;
beforeAll(async () => {
  t = await makeTestApp();
  await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'integer', label: 'Seats' });
  await t.as().post('/api/v2/crm/industries').send({ name: 'Retail' });
  team = (await t.as().post('/api/v2/crm/teams').send({ name: 'North' })).body.id;
});
afterAll(() => t.close());

const A = '/api/v2/crm/accounts';
const FULL = { name: 'Still', company_id: 1, tel: '0113 496 0000', is_customer: true, customer_since: '2021-03-04', custom_fields: { field_1: 12 }, tags: ['vip', 'smb'], industries: ['Retail'] };

async function fresh(extra: Record<string, unknown> = {}) {
  const body = { ...FULL, teams: [team], ...extra };
  const res = await t.as().post(A).send(body);
  expect(res.status).toBe(200);
  return { account: res.body as { id: number; version?: number; updated: string }, etag: res.headers.etag as string, body };
}
const historyOf = async (id: number) => (await t.as().get(`${A}/${id}/history`)).body as unknown[];

describe('writes that change nothing', () => {
  it('when PUT sends every field with its current value, then the response is the unchanged record with the same ETag and no history row', async () => {
    const { account, etag, body } = await fresh();
    const res = await t.as().put(`${A}/${account.id}`).send(body);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(etag);
    expect(res.body).toEqual(account);
    expect(await historyOf(account.id)).toHaveLength(1);
  });

  it('when POST /:id repeats a value, then updated and the ETag stay; a real change still moves both', async () => {
    const { account, etag } = await fresh();
    const same = await t.as().post(`${A}/${account.id}`).send({ tel: '0113 496 0000', custom_fields: { field_1: 12 } });
    expect(same.headers.etag).toBe(etag);
    expect(same.body.updated).toBe(account.updated);
    const changed = await t.as().post(`${A}/${account.id}`).send({ tel: '0113 496 0001' });
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.updated > account.updated).toBe(true);
    expect(await historyOf(account.id)).toHaveLength(2);
  });

  it('when an upsert by external_id sends the stored values, then 200 with the same ETag and updated', async () => {
    const first = await t.as().put(`${A}/external_id/NOOP-1`).send({ name: 'Upserted', company_id: 1, tags: ['a'] });
    const again = await t.as().put(`${A}/external_id/NOOP-1`).send({ name: 'Upserted', company_id: 1, tags: ['a'] });
    expect(again.status).toBe(200);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.body.updated).toBe(first.body.updated);
  });

  it('when a bulk update and upsert repeat the stored values, then their versions stay and no history row is added', async () => {
    const { account } = await fresh({ external_id: 'NOOP-BULK' });
    const version = (await t.knex('accounts').where({ id: account.id }).first()).version;
    const res = await t.as().post(`${A}/_bulk`).send({
      operations: [
        { action: 'update', id: account.id, data: { name: 'Still', tags: ['smb', 'vip'] } },
        { action: 'upsert', external_id: 'NOOP-BULK', data: { is_customer: true, teams: [team] } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { version: number }) => r.version)).toEqual([version, version]);
    expect(await historyOf(account.id)).toHaveLength(1);
  });

  it('when a relation list is sent in another order, then nothing changes; a different set is a change', async () => {
    const { account, etag } = await fresh();
    const reordered = await t.as().put(`${A}/${account.id}`).send({ tags: ['smb', 'vip'], industries: ['retail'] });
    expect(reordered.headers.etag).toBe(etag);
    const changed = await t.as().put(`${A}/${account.id}`).send({ tags: ['smb'] });
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.tags).toEqual(['smb']);
  });

  it('when a custom field that was never set is cleared with null, then nothing changes', async () => {
    const { account, etag } = await fresh({ custom_fields: {} });
    const res = await t.as().put(`${A}/${account.id}`).send({ custom_fields: { field_1: null } });
    expect(res.headers.etag).toBe(etag);
    expect(await historyOf(account.id)).toHaveLength(1);
  });
});
