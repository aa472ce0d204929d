import { ACCOUNT_FIELDS, WRITABLE_FIELDS } from '../../src/domain/accounts/fields';
import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ bodyLimit: 64 * 1024 });
});
afterAll(() => t.close());

function expectError(res: { status: number; body: { error?: { code: string; details?: { field: string; message: string }[] } } }, status: number, field?: string) {
  expect(res.status).toBe(status);
  expect(res.body.error).toBeDefined();
  if (field) expect(res.body.error!.details?.map((d) => d.field)).toContain(field);
}

describe('account input errors', () => {
  it('when name or company_id is missing, then 400 names each', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ is_customer: true });
    expectError(res, 400, 'name');
    expectError(res, 400, 'company_id');
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([{ field: 'name', message: 'is required' }, { field: 'company_id', message: 'is required' }]),
    );
  });

  it('when the name is blank, then 400 names it', async () => {
    expectError(await t.as().post('/api/v2/crm/accounts').send({ name: '   ', company_id: 1 }), 400, 'name');
    expectError(await t.as().post('/api/v2/crm/accounts').send({ name: '', company_id: 1 }), 400, 'name');
  });

  it('when company_id names no company of the organisation, then 400 says so', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'x', company_id: 4242 });
    expectError(res, 400, 'company_id');
    expect(res.body.error.details[0].message).toContain('4242');
  });

  const wrongValue: Record<string, unknown> = { integer: 'abc', boolean: 'yes', string: 123, date: '2020-13-45', decimal: 'abc' };
  const writable = ACCOUNT_FIELDS.filter((f) => WRITABLE_FIELDS.has(f.name));
  it.each(writable.map((f) => [f.name, f.type]))('when %s gets a value of the wrong type (%s), then 400 names it', async (name, type) => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'x', company_id: 1, [name]: wrongValue[type as string] });
    expectError(res, 400, name as string);
  });

  it('when a field is unknown, then 400 names it as unknown', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'x', company_id: 1, nmae: 'typo' });
    expectError(res, 400, 'nmae');
    expect(res.body.error.details[0].message).toBe('is not a known field');
  });

  it.each(['id', 'created', 'updated', 'company', 'balance'])('when read-only %s is sent, then 400 says it is read-only', async (field) => {
    const created = await t.as().post('/api/v2/crm/accounts').send({ name: 'ro', company_id: 1 });
    const res = await t.as().put(`/api/v2/crm/accounts/${created.body.id}`).send({ [field]: 1 });
    expectError(res, 400, field);
    expect(res.body.error.details[0].message).toBe('is read-only');
  });

  it('when an update sets name to null, then 400 names it', async () => {
    const created = await t.as().post('/api/v2/crm/accounts').send({ name: 'nn', company_id: 1 });
    expectError(await t.as().put(`/api/v2/crm/accounts/${created.body.id}`).send({ name: null }), 400, 'name');
  });

  it('when the JSON is malformed, then 400 malformed_json in JSON, not HTML', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').set('Content-Type', 'application/json').send('{"name": "x",');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.error.code).toBe('malformed_json');
  });

  it('when the body is a JSON array or a string, then 400 says it must be an object', async () => {
    expectError(await t.as().post('/api/v2/crm/accounts').set('Content-Type', 'application/json').send('[1,2]'), 400, '(body)');
    expectError(await t.as().post('/api/v2/crm/accounts').set('Content-Type', 'application/json').send('"x"'), 400, '(body)');
  });

  it('when the body is larger than the limit, then 413 in JSON', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'x', company_id: 1, notes: 'n'.repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('when the content type is neither JSON nor form, then 415 says what is accepted', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').set('Content-Type', 'text/plain').send('name=x');
    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain('application/json');
  });

  it('when the id in the path is not a number, then 400 names id', async () => {
    expectError(await t.as().get('/api/v2/crm/accounts/abc'), 400, 'id');
    expectError(await t.as().get('/api/v2/crm/accounts/-1'), 400, 'id');
    expectError(await t.as().get('/api/v2/crm/accounts/99999999999'), 400, 'id');
  });

  it('when GET /:id gets an unknown parameter, then 400 names it', async () => {
    const created = await t.as().post('/api/v2/crm/accounts').send({ name: 'q', company_id: 1 });
    expectError(await t.as().get(`/api/v2/crm/accounts/${created.body.id}?foo=1`), 400, 'foo');
  });

  it('when a route does not exist, then 404 in JSON', async () => {
    const res = await t.as().get('/api/v2/crm/nothing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });
});
