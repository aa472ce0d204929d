import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ bulkMax: 5 });
});
afterAll(() => t.close());

const A = '/api/v2/crm/accounts';

describe('upsert by external_id', () => {
  it('when an unknown external_id is PUT, then 201 creates it; again, then 200 updates the same row', async () => {
    const first = await t.as().put(`${A}/external_id/ERP-1`).send({ name: 'One', company_id: 1 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'One', external_id: 'ERP-1' });
    const second = await t.as().put(`${A}/external_id/ERP-1`).send({ tel: '123' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, name: 'One', tel: '123' });
    const got = await t.as().get(`${A}/external_id/ERP-1`);
    expect(got.body.id).toBe(first.body.id);
    expect((await t.as().get(`${A}?external_id=ERP-1`)).body).toHaveLength(1);
  });

  it('when creating without name or company_id, then 400 names them; a differing body external_id is 400', async () => {
    const res = await t.as().put(`${A}/external_id/ERP-NEW`).send({ tel: '1' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['company_id', 'name']);
    const clash = await t.as().put(`${A}/external_id/ERP-X`).send({ name: 'x', company_id: 1, external_id: 'ERP-Y' });
    expect(clash.status).toBe(400);
    expect(clash.body.error.details[0].field).toBe('external_id');
  });

  it('when many upserts of one external_id race, then exactly one row exists and every request succeeds', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.as().put(`${A}/external_id/RACE-1`).send({ name: `Racer ${i}`, company_id: 1 })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const rows = await t.knex('accounts').where({ external_id: 'RACE-1' });
    expect(rows).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.id))).toEqual(new Set([rows[0].id]));
  });

  it('when POST creates a duplicate external_id, then 409', async () => {
    await t.as().post(A).send({ name: 'Dup', company_id: 1, external_id: 'DUP-1' });
    const res = await t.as().post(A).send({ name: 'Dup 2', company_id: 1, external_id: 'DUP-1' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });
});

describe('Idempotency-Key', () => {
  it('when a create is retried with the same key and body, then the first response comes back and nothing is created twice', async () => {
    const body = { name: 'Idem', company_id: 1 };
    const first = await t.as().post(A).set('Idempotency-Key', 'k-create-1').send(body);
    const retry = await t.as().post(A).set('Idempotency-Key', 'k-create-1').send(body);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await t.knex('accounts').where({ name: 'Idem' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('when the same key comes with a different body, then 422', async () => {
    await t.as().post(A).set('Idempotency-Key', 'k-2').send({ name: 'First', company_id: 1 });
    const res = await t.as().post(A).set('Idempotency-Key', 'k-2').send({ name: 'Second', company_id: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].field).toBe('Idempotency-Key');
  });

  it('when two requests with one key run at once, then one effect and the same answer', async () => {
    const body = { name: 'Twin', company_id: 1 };
    const [a, b] = await Promise.all([
      t.as().post(A).set('Idempotency-Key', 'k-twin').send(body),
      t.as().post(A).set('Idempotency-Key', 'k-twin').send(body),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.id).toBe(b.body.id);
    expect(await t.knex('accounts').where({ name: 'Twin' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('when a 4xx is retried, then the same 4xx comes back; other users may use the same key', async () => {
    const bad = await t.as().post(A).set('Idempotency-Key', 'k-bad').send({ name: 'x' });
    const again = await t.as().post(A).set('Idempotency-Key', 'k-bad').send({ name: 'x' });
    expect(bad.status).toBe(400);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(bad.body);
    const other = await t.addUser({ role: 'admin' });
    const res = await t.as(other).post(A).set('Idempotency-Key', 'k-bad').send({ name: 'Other', company_id: 1 });
    expect(res.status).toBe(200);
  });

  it('when a delete is retried with its key, then the replay matches; a bad key is 400', async () => {
    const acc = await t.as().post(A).send({ name: 'Del', company_id: 1 });
    const d1 = await t.as().delete(`${A}/${acc.body.id}`).set('Idempotency-Key', 'k-del');
    const d2 = await t.as().delete(`${A}/${acc.body.id}`).set('Idempotency-Key', 'k-del');
    expect(d2.body).toEqual(d1.body);
    const bad = await t.as().post(A).set('Idempotency-Key', 'x'.repeat(300)).send({ name: 'k', company_id: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('Idempotency-Key');
  });

  it('when a key has expired, then it can be used again for a new request', async () => {
    await t.as().post(A).set('Idempotency-Key', 'k-old').send({ name: 'Old', company_id: 1 });
    await t.knex('idempotency_keys').where({ key: 'k-old' }).update({ expires_at: new Date(Date.now() - 1000) });
    const res = await t.as().post(A).set('Idempotency-Key', 'k-old').send({ name: 'New', company_id: 1 });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('New');
  });
});

describe('optimistic concurrency', () => {
  it('when two clients read and both PUT with If-Match, then one 200 and one 412', async () => {
    const acc = await t.as().post(A).send({ name: 'Shared', company_id: 1 });
    const [r1, r2] = await Promise.all([t.as().get(`${A}/${acc.body.id}`), t.as().get(`${A}/${acc.body.id}`)]);
    expect(r1.headers.etag).toBe(r2.headers.etag);
    const w1 = await t.as().put(`${A}/${acc.body.id}`).set('If-Match', r1.headers.etag).send({ name: 'Client 1' });
    const w2 = await t.as().put(`${A}/${acc.body.id}`).set('If-Match', r2.headers.etag).send({ name: 'Client 2' });
    expect(w1.status).toBe(200);
    expect(w2.status).toBe(412);
    expect(w2.body.error.code).toBe('precondition_failed');
    expect((await t.as().get(`${A}/${acc.body.id}`)).body.name).toBe('Client 1');
    expect(w1.headers.etag).not.toBe(r1.headers.etag);
    const del = await t.as().delete(`${A}/${acc.body.id}`).set('If-Match', r1.headers.etag);
    expect(del.status).toBe(412);
    expect((await t.as().delete(`${A}/${acc.body.id}`).set('If-Match', w1.headers.etag)).status).toBe(200);
  });

  it('when racing PUTs carry the same If-Match, then exactly one wins', async () => {
    const acc = await t.as().post(A).send({ name: 'Race', company_id: 1 });
    const etag = acc.headers.etag;
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.as().put(`${A}/${acc.body.id}`).set('If-Match', etag).send({ tel: String(i) })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(5);
  });

  it('when GET sends If-None-Match with the current ETag, then 304; after a change, then 200', async () => {
    const acc = await t.as().post(A).send({ name: 'Cache', company_id: 1 });
    const first = await t.as().get(`${A}/${acc.body.id}`);
    const cached = await t.as().get(`${A}/${acc.body.id}`).set('If-None-Match', first.headers.etag);
    expect(cached.status).toBe(304);
    expect(cached.text).toBeFalsy();
    await t.as().put(`${A}/${acc.body.id}`).send({ tel: '9' });
    const fresh = await t.as().get(`${A}/${acc.body.id}`).set('If-None-Match', first.headers.etag);
    expect(fresh.status).toBe(200);
    expect(fresh.body.tel).toBe('9');
  });
});

describe('incremental sync', () => {
  it('when a client loops updated__gt/_order=updated,id, then it sees each create, update, delete and restore once per window', async () => {
    const sync = async (since: string) => {
      const res = await t.as().get(`${A}?updated__gt=${since}&_order=updated,id&is_deleted__in=true,false&source=sync`);
      expect(res.status).toBe(200);
      return res.body as { id: number; updated: string; is_deleted: boolean; name: string }[];
    };
    const start = (await t.knex.raw("select to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') as t")).rows[0].t;
    const a = await t.as().post(A).send({ name: 'S1', company_id: 1, source: 'sync' });
    const b = await t.as().post(A).send({ name: 'S2', company_id: 1, source: 'sync' });
    const window1 = await sync(start);
    expect(window1.map((r) => r.id)).toEqual([a.body.id, b.body.id]);
    let mark = window1[window1.length - 1].updated;

    await t.as().put(`${A}/${a.body.id}`).send({ name: 'S1b' });
    await t.as().delete(`${A}/${b.body.id}`);
    const window2 = await sync(mark);
    expect(window2.map((r) => [r.id, r.name, r.is_deleted])).toEqual([
      [a.body.id, 'S1b', false],
      [b.body.id, 'S2', true],
    ]);
    mark = window2[window2.length - 1].updated;

    expect(await sync(mark)).toEqual([]);
    await t.as().put(`${A}/${b.body.id}`).send({ is_deleted: false });
    const window3 = await sync(mark);
    expect(window3.map((r) => [r.id, r.is_deleted])).toEqual([[b.body.id, false]]);
  });
});

describe('bulk', () => {
  it('when every operation is valid, then all apply in one go', async () => {
    const existing = await t.as().post(A).send({ name: 'Bulk target', company_id: 1 });
    const res = await t.as().post(`${A}/_bulk`).send({
      operations: [
        { action: 'create', data: { name: 'B1', company_id: 1 } },
        { action: 'update', id: existing.body.id, data: { tel: '42' } },
        { action: 'upsert', external_id: 'BULK-1', data: { name: 'B3', company_id: 1 } },
        { action: 'upsert', external_id: 'BULK-1', data: { tel: '7' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { result: string }) => r.result)).toEqual(['created', 'updated', 'created', 'updated']);
    expect((await t.as().get(`${A}/${existing.body.id}`)).body.tel).toBe('42');
    expect((await t.as().get(`${A}/external_id/BULK-1`)).body).toMatchObject({ name: 'B3', tel: '7' });
  });

  it('when one operation is bad, then nothing is written and the 400 names its index and field', async () => {
    const before = await t.knex('accounts').count({ n: '*' });
    const res = await t.as().post(`${A}/_bulk`).send({
      operations: [
        { action: 'create', data: { name: 'Never', company_id: 1 } },
        { action: 'create', data: { company_id: 1 } },
        { action: 'update', id: 999999, data: { tel: '1' } },
        { action: 'create', data: { name: 'Never 2', company_id: 1, is_customer: 'yes' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['operations[1].name', 'operations[2].id', 'operations[3].is_customer']);
    expect(await t.knex('accounts').count({ n: '*' })).toEqual(before);
    expect(await t.knex('accounts').where({ name: 'Never' })).toHaveLength(0);
  });

  it('when there are more operations than BULK_MAX, then 400 says the limit', async () => {
    const ops = Array.from({ length: 6 }, (_, i) => ({ action: 'create', data: { name: `Too many ${i}`, company_id: 1 } }));
    const res = await t.as().post(`${A}/_bulk`).send({ operations: ops });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({ field: 'operations', message: expect.stringContaining('at most 5') });
  });
});

describe('history', () => {
  it('when an account is created, changed, deleted and restored, then each change is recorded with who, when and old → new', async () => {
    await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'integer', label: 'Seats' });
    const acc = await t.as().post(A).send({ name: 'Hist', company_id: 1, custom_fields: { field_1: 3 } });
    await t.as().put(`${A}/${acc.body.id}`).send({ name: 'Hist 2', tel: '5', custom_fields: { field_1: 4 } });
    await t.as().put(`${A}/${acc.body.id}`).send({ name: 'Hist 2' });
    await t.as().delete(`${A}/${acc.body.id}`);
    await t.as().put(`${A}/${acc.body.id}`).send({ is_deleted: false });
    const res = await t.as().get(`${A}/${acc.body.id}/history`);
    expect(res.status).toBe(200);
    expect(res.body.map((h: { action: string }) => h.action)).toEqual(['create', 'update', 'delete', 'restore']);
    expect(res.body[0].changes).toMatchObject({ name: { old: null, new: 'Hist' }, company_id: { old: null, new: 1 }, 'custom_fields.field_1': { old: null, new: 3 } });
    expect(res.body[1].changes).toEqual({ name: { old: 'Hist', new: 'Hist 2' }, tel: { old: null, new: '5' }, 'custom_fields.field_1': { old: 3, new: 4 } });
    expect(res.body[2].changes).toEqual({ is_deleted: { old: false, new: true } });
    expect(res.body[1]).toMatchObject({ user_email: t.admin.email, version: 2 });
    expect(res.body[1].at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect((await t.as().get(`${A}/999999/history`)).status).toBe(404);
  });
});
