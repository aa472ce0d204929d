import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

describe('JSON booleans as PHP and other scripts send them', () => {
  it('when a boolean field is sent as 1 or 0 (json_encode of an int), then it is stored and answered as true/false', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'PHP', company_id: 1, is_customer: 1, is_supplier: 0 });
    expect(res.status).toBe(200);
    expect(res.body.is_customer).toBe(true);
    expect(res.body.is_supplier).toBe(false);
  });

  it('when a boolean field is sent as "true" or "FALSE", then it is read as a boolean', async () => {
    const created = await t.as().post('/api/v2/crm/accounts').send({ name: 'Strings', company_id: 1, is_partner: 'true' }).expect(200);
    expect(created.body.is_partner).toBe(true);
    const updated = await t.as().put(`/api/v2/crm/accounts/${created.body.id}`).send({ is_partner: 'FALSE' });
    expect(updated.status).toBe(200);
    expect(updated.body.is_partner).toBe(false);
  });

  it('when a boolean field is 2 or "yes" in JSON, then 400 naming the field', async () => {
    const two = await t.as().post('/api/v2/crm/accounts').send({ name: 'Bad', company_id: 1, is_customer: 2 });
    expect(two.status).toBe(400);
    expect(two.body.error.details).toEqual([{ field: 'is_customer', message: 'must be boolean' }]);
    const yes = await t.as().post('/api/v2/crm/accounts').send({ name: 'Bad', company_id: 1, is_customer: 'yes' });
    expect(yes.status).toBe(400);
    expect(yes.body.error.details[0].field).toBe('is_customer');
  });

  it('when a boolean custom field is sent as 1 in JSON, then it is true', async () => {
    const def = await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'boolean', label: 'VIP' }).expect(201);
    const key = Object.keys(def.body)[0];
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'Custom', company_id: 1, custom_fields: { [key]: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.custom_fields[key]).toBe(true);
  });

  it('when a bulk operation sends 0 for a boolean, then it is false', async () => {
    const res = await t.as().post('/api/v2/crm/accounts/_bulk').send({ operations: [{ action: 'create', data: { name: 'Bulk', company_id: 1, is_customer: 0 } }] });
    expect(res.status).toBe(200);
    const id = res.body.results[0].id as number;
    const got = await t.as().get(`/api/v2/crm/accounts/${id}`).expect(200);
    expect(got.body.is_customer).toBe(false);
  });
});
