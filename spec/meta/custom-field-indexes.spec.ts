import { ensureCustomFieldIndexes } from '../../src/domain/custom-fields/indexes';
import { makeTestApp, TestApp } from '../support/test-app';

/**
 * Each accounts custom field key gets a btree index that its equality filter uses
 * (src/domain/custom-fields/indexes.ts); a missing one is made again at start.
 */
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const META = '/api/v2/meta/crm/accounts';
const indexDef = async (name: string): Promise<string | undefined> =>
  (await t.knex.raw('SELECT indexdef FROM pg_indexes WHERE indexname = ?', [name])).rows[0]?.indexdef;

it('when an accounts custom field is defined, then an index on its value in id order exists', async () => {
  const res = await t.as().post(`${META}/custom_fields`).send({ key: 'field_7', type: 'integer', label: 'Seats' }).expect(201);
  expect(Object.keys(res.body)).toEqual(['field_7']);
  expect(await indexDef('accounts_cf_field_7')).toContain("(org_id, ((custom_fields -> 'field_7'::text)), id) WHERE (NOT is_deleted)");
});

it('when a contacts custom field is defined, then no accounts index is made for it', async () => {
  await t.as().post('/api/v2/meta/crm/contacts/custom_fields').send({ key: 'field_8', type: 'string', label: 'Desk' }).expect(201);
  expect(await indexDef('accounts_cf_field_8')).toBeUndefined();
});

it('when the index of a defined field is missing, then the start-up check makes it again', async () => {
  await t.as().post(`${META}/custom_fields`).send({ key: 'field_9', type: 'string', label: 'Region' }).expect(201);
  await t.knex.raw('DROP INDEX accounts_cf_field_9');
  expect(await ensureCustomFieldIndexes(t.knex)).toEqual(expect.arrayContaining(['field_7', 'field_9']));
  expect(await indexDef('accounts_cf_field_9')).toBeDefined();
});

it('when accounts are filtered by a custom field through its index, then the matches come in id order, as with containment', async () => {
  const ids: number[] = [];
  for (const seats of [3, 5, 3, 3, 4]) {
    const r = await t.as().post('/api/v2/crm/accounts').send({ name: `cf ${seats}`, company_id: 1, custom_fields: { field_7: seats } }).expect(200);
    ids.push(r.body.id);
  }
  const eq = await t.as().get('/api/v2/crm/accounts?custom_fields.field_7__eq=3&_limit=2').expect(200);
  expect(eq.body.map((a: { id: number }) => a.id)).toEqual([ids[0], ids[2]]);
  const within = await t.as().get('/api/v2/crm/accounts?custom_fields.field_7__in=4,5').expect(200);
  expect(within.body.map((a: { id: number }) => a.id)).toEqual([ids[1], ids[4]]);
});
