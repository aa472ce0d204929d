import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const META = '/api/v2/meta/crm/accounts';

async function define(body: Record<string, unknown>) {
  const res = await t.as().post(`${META}/custom_fields`).send(body);
  expect(res.status).toBe(201);
  return Object.keys(res.body)[0];
}

describe('custom fields on accounts', () => {
  let seats: string, region: string, vip: string, tier: string, since: string, rate: string;

  beforeAll(async () => {
    seats = await define({ type: 'integer', label: 'Seats' });
    region = await define({ type: 'string', label: 'Region code' });
    vip = await define({ type: 'boolean', label: 'VIP' });
    tier = await define({ key: 'field_319', type: 'string', label: 'Tier', choices: ['gold', 'silver'] });
    since = await define({ type: 'date', label: 'Partner since' });
    rate = await define({ type: 'decimal', label: 'Rate' });
  });

  it('when fields are defined, then the meta endpoint shows them in the documented shape', async () => {
    expect([seats, region, vip, tier]).toEqual(['field_1', 'field_2', 'field_3', 'field_319']);
    const res = await t.as().get(META);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      custom_fields: {
        field_1: { type: 'integer', label: 'Seats' },
        field_2: { type: 'string', label: 'Region code' },
        field_3: { type: 'boolean', label: 'VIP' },
        field_319: { type: 'string', label: 'Tier', choices: ['gold', 'silver'] },
        [since]: { type: 'date', label: 'Partner since' },
        [rate]: { type: 'decimal', label: 'Rate' },
      },
    });
  });

  it('when a definition is bad or duplicate, then 400 names the field', async () => {
    const bad = await t.as().post(`${META}/custom_fields`).send({ type: 'colour', label: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('type');
    const dup = await t.as().post(`${META}/custom_fields`).send({ key: 'field_1', type: 'string', label: 'again' });
    expect(dup.status).toBe(400);
    expect(dup.body.error.details[0].field).toBe('key');
    const badChoice = await t.as().post(`${META}/custom_fields`).send({ type: 'integer', label: 'x', choices: ['a'] });
    expect(badChoice.status).toBe(400);
  });

  it('when a non-admin defines a field, then 403', async () => {
    const user = await t.addUser();
    const res = await t.as(user).post(`${META}/custom_fields`).send({ type: 'string', label: 'x' });
    expect(res.status).toBe(403);
  });

  it('when values of the right types are written, then they come back and merge on update', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({
      name: 'Custom', company_id: 1, custom_fields: { [seats]: 10, [region]: 'NE', [vip]: true, [tier]: 'gold', [since]: '2020-01-02', [rate]: 1.25 },
    });
    expect(res.status).toBe(200);
    expect(res.body.custom_fields).toEqual({ [seats]: 10, [region]: 'NE', [vip]: true, [tier]: 'gold', [since]: '2020-01-02', [rate]: 1.25 });
    const upd = await t.as().put(`/api/v2/crm/accounts/${res.body.id}`).send({ custom_fields: { [seats]: 11, [region]: null } });
    expect(upd.status).toBe(200);
    expect(upd.body.custom_fields).toEqual({ [seats]: 11, [region]: null, [vip]: true, [tier]: 'gold', [since]: '2020-01-02', [rate]: 1.25 });
  });

  it('when form-encoded custom fields are sent, then they are typed by their definitions', async () => {
    const res = await t
      .as()
      .post('/api/v2/crm/accounts')
      .type('form')
      .send(`name=FormCF&company_id=1&custom_fields[${seats}]=7&custom_fields[${vip}]=1&custom_fields[${tier}]=silver`);
    expect(res.status).toBe(200);
    expect(res.body.custom_fields).toEqual({ [seats]: 7, [vip]: true, [tier]: 'silver' });
  });

  it.each([
    ['field_999', 'x', 'not a custom field'],
    ['field_1', 'ten', 'integer'],
    ['field_1', 1.5, 'integer'],
    ['field_3', 'yes', 'boolean'],
    ['field_319', 'bronze', 'gold, silver'],
    ['field_2', 12, 'string'],
  ])('when custom_fields.%s gets %p, then 400 names it (%s)', async (key, value, hint) => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'Bad', company_id: 1, custom_fields: { [key]: value } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe(`custom_fields.${key}`);
    expect(res.body.error.details[0].message).toContain(hint);
  });

  it('when custom fields are filtered, then only matching accounts come back', async () => {
    const a = await t.as().post('/api/v2/crm/accounts').send({ name: 'CF-A', company_id: 1, custom_fields: { [tier]: 'gold', [seats]: 10 } });
    const b = await t.as().post('/api/v2/crm/accounts').send({ name: 'CF-B', company_id: 1, custom_fields: { [tier]: 'silver', [seats]: 20 } });
    const eq = await t.as().get('/api/v2/crm/accounts?custom_fields.field_319__eq=gold&name__sw=CF-');
    expect(eq.status).toBe(200);
    expect(eq.body.map((x: { id: number }) => x.id)).toEqual([a.body.id]);
    const gt = await t.as().get(`/api/v2/crm/accounts?custom_fields.${seats}__gt=15&name__sw=CF-`);
    expect(gt.body.map((x: { id: number }) => x.id)).toEqual([b.body.id]);
    const unknown = await t.as().get('/api/v2/crm/accounts?custom_fields.field_4242__eq=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('custom_fields.field_4242__eq');
  });

  it('when a definition is removed, then meta no longer lists it', async () => {
    const key = await define({ type: 'string', label: 'Temp' });
    expect((await t.as().delete(`${META}/custom_fields/${key}`)).status).toBe(204);
    expect((await t.as().get(META)).body.custom_fields[key]).toBeUndefined();
    expect((await t.as().delete(`${META}/custom_fields/${key}`)).status).toBe(404);
  });
});
