import pino from 'pino';
import { makeTestApp, TestApp } from '../support/test-app';
import { verifySignature } from '../../src/sync/signing';
import { v2RecordSource } from '../../src/compose/records';
import { WebhookWorker, WebhookWorkerOptions } from '../../src/sync/worker';
import { Receiver, until } from './receiver';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ webhookAllowPrivateTargets: true });
});
afterAll(() => t.close());

const ACC = '/api/v2/crm/accounts';
const HOOKS = '/api/v2/webhooks';
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
/**
 * Fast retries for specs: 10 ms doubling up to 80 ms. The timeout is generous: PGlite runs in this
 * process and blocks the receiver's event loop while it works, and a timed-out attempt that the
 * receiver did record is (rightly) sent again, which would blur the exactly-once checks.
 */
const FAST: Partial<WebhookWorkerOptions> = { retryBaseMs: 10, retryMaxMs: 80, maxAttempts: 40, timeoutMs: 10000, allowPrivateTargets: true, batch: 10 };

/** What a receiver that deduplicates on the delivery id keeps (the documented contract). */
function deduplicated(r: Receiver) {
  return [...new Map(r.delivered.map((d) => [d.json.id, d])).values()];
}

const receivers: Receiver[] = [];
const workers: WebhookWorker[] = [];
async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}
function worker(opts: Partial<WebhookWorkerOptions> = {}): WebhookWorker {
  const w = new WebhookWorker(t.knex, v2RecordSource(t.knex, t.attachmentsDir), log, { ...FAST, ...opts });
  workers.push(w);
  w.start(10);
  return w;
}
async function hook(url: string, events: string[] = ['crm/accounts.*'], secret?: string): Promise<{ id: number; secret: string }> {
  const res = await t.as().post(HOOKS).send({ url, events, ...(secret ? { secret } : {}) });
  expect(res.status).toBe(201);
  return res.body;
}
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const r of receivers.splice(0)) await r.stop();
  // Each test's webhooks go with it, so the next test's worker has only its own to deliver.
  await t.knex('webhook_deliveries').where('org_id', '>', 0).delete();
  await t.knex('webhooks').where('org_id', '>', 0).delete();
});

describe('webhook registry', () => {
  it('when an admin creates a webhook without a secret, then one is generated and shown only in that answer', async () => {
    const created = await t.as().post(HOOKS).send({ url: 'http://127.0.0.1:9/hook', events: ['crm/accounts.*', 'crm/contacts.created'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: 'http://127.0.0.1:9/hook', events: ['crm/accounts.*', 'crm/contacts.created'], enabled: true, disabled_reason: null });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const got = await t.as().get(`${HOOKS}/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect((await t.as().get(HOOKS)).body.map((w: { id: number }) => w.id)).toEqual([created.body.id]);
  });

  it('when an admin changes and then deletes a webhook, then the change shows and the webhook is gone', async () => {
    const { id } = await hook('http://127.0.0.1:9/hook');
    const put = await t.as().put(`${HOOKS}/${id}`).send({ events: ['*'], enabled: false });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ events: ['*'], enabled: false });
    expect((await t.as().delete(`${HOOKS}/${id}`)).status).toBe(204);
    expect((await t.as().get(`${HOOKS}/${id}`)).status).toBe(404);
  });

  it('when a user who is not an admin manages webhooks, then 403', async () => {
    const user = await t.addUser();
    expect((await t.as(user).get(HOOKS)).status).toBe(403);
    expect((await t.as(user).post(HOOKS).send({ url: 'http://127.0.0.1:9/', events: ['*'] })).status).toBe(403);
  });

  it.each([
    ['url', { url: 'ftp://example.com/x', events: ['*'] }],
    ['url', { url: 'not a url', events: ['*'] }],
    ['url', { url: 'http://169.254.169.254/latest/meta-data', events: ['*'] }],
    ['url', { url: 'http://[fe80::1]/hook', events: ['*'] }],
    ['url', { url: 'http://0.0.0.0/hook', events: ['*'] }],
    ['events', { url: 'http://127.0.0.1:9/', events: [] }],
    ['events[1]', { url: 'http://127.0.0.1:9/', events: ['crm/accounts.*', 'crm/teams.*'] }],
    ['secret', { url: 'http://127.0.0.1:9/', events: ['*'], secret: 'short' }],
  ])('when %s is not acceptable (%j), then 400 names it', async (field, body) => {
    const res = await t.as().post(HOOKS).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('SSRF guard', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await makeTestApp();
  });
  afterAll(() => strict.close());

  it.each(['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://10.1.2.3/hook', 'http://192.168.0.10/hook', 'http://[::1]/hook', 'http://[::ffff:127.0.0.1]/hook'])(
    'when WEBHOOK_ALLOW_PRIVATE_TARGETS is not set and the target is %s, then 400 names url',
    async (url) => {
      const res = await strict.as().post(HOOKS).send({ url, events: ['*'] });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('url');
    },
  );

  it('when a saved target is private but the worker does not allow private targets, then the delivery is refused at send time', async () => {
    const r = await receiver();
    const { id } = await hook(r.url);
    await t.as().post(ACC).send({ company_id: 1, name: 'Not sent' });
    worker({ allowPrivateTargets: false, maxAttempts: 1 });
    await until(async () => (await t.as().get(`${HOOKS}/${id}/deliveries`)).body[0]?.status === 'failed', 10000, 'the refused delivery');
    const [d] = (await t.as().get(`${HOOKS}/${id}/deliveries`)).body;
    expect(d.last_error).toMatch(/loopback/);
    expect(r.got).toEqual([]);
  });
});

describe('deliveries', () => {
  it('when accounts are written concurrently through the API, then every change arrives once, signed, with the record as GET returns it', async () => {
    const r = await receiver();
    const { id: hookId, secret } = await hook(r.url);
    worker();
    const ids = (await Promise.all(Array.from({ length: 12 }, (_, i) => t.as().post(ACC).send({ company_id: 1, name: `Pushed ${i}` })))).map((x) => x.body.id as number);
    await Promise.all(ids.slice(0, 6).map((id) => t.as().put(`${ACC}/${id}`).send({ name: `Pushed again ${id}` })));
    await until(() => deduplicated(r).length >= 18, 15000, '18 deliveries');
    expect(deduplicated(r).map((d) => `${d.json.event} ${d.json.data.id}`).sort()).toEqual(
      [...ids.map((id) => `crm/accounts.created ${id}`), ...ids.slice(0, 6).map((id) => `crm/accounts.updated ${id}`)].sort(),
    );
    for (const d of r.delivered) {
      expect(verifySignature(secret, d.body, String(d.headers['x-v2crm-signature']))).toBe(true);
      expect(d.headers['x-v2crm-delivery']).toBe(d.json.id);
    }
    const last = r.delivered.find((d) => d.json.data.id === ids[11])!;
    expect(last.json.data).toEqual((await t.as().get(`${ACC}/${ids[11]}`)).body);
    const listed = (await t.as().get(`${HOOKS}/${hookId}/deliveries`)).body;
    expect(listed.every((d: { status: string; response_code: number }) => d.status === 'delivered' && d.response_code === 200)).toBe(true);
  });

  it('when a change is outside the webhook\'s events, then it is not delivered', async () => {
    const r = await receiver();
    await hook(r.url, ['crm/comments.created']);
    worker();
    const account = (await t.as().post(ACC).send({ company_id: 1, name: 'Quiet' })).body.id;
    await t.as().post(`${ACC}/${account}/comments`).send({ comment: 'loud' });
    await until(() => r.delivered.length >= 1);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.delivered.map((d) => d.json.event)).toEqual(['crm/comments.created']);
  });

  it('when the receiver answers 500 and then 200, then the delivery is retried and recorded with its attempts', async () => {
    const r = await receiver();
    r.answer = (_req, n) => (n === 0 ? 500 : 200);
    const { id } = await hook(r.url);
    worker();
    await t.as().post(ACC).send({ company_id: 1, name: 'Retried' });
    await until(() => r.delivered.length === 1);
    expect(r.got.map((g) => g.status)).toEqual([500, 200]);
    expect(r.got[0].json.id).toBe(r.got[1].json.id);
    const [d] = (await t.as().get(`${HOOKS}/${id}/deliveries`)).body;
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, response_code: 200, last_error: null });
  });

  it('when the receiver is down for a while, then everything written meanwhile arrives after it comes back', async () => {
    const r = await receiver();
    const port = r.port;
    await hook(r.url);
    await r.stop();
    worker();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await t.as().post(ACC).send({ company_id: 1, name: `While down ${i}` })).body.id);
    await new Promise((res) => setTimeout(res, 200));
    await r.start(port);
    await until(() => r.delivered.length >= 5, 15000, 'the backlog');
    expect(r.delivered.map((d) => d.json.data.id).sort()).toEqual([...ids].sort());
  });

  it('when one record changes several times and attempts fail now and then, then its changes still arrive in order', async () => {
    const r = await receiver();
    r.answer = (_req, n) => (n % 3 === 1 ? 503 : 200);
    await hook(r.url);
    const id = (await t.as().post(ACC).send({ company_id: 1, name: 'v1' })).body.id;
    for (let v = 2; v <= 6; v++) await t.as().put(`${ACC}/${id}`).send({ name: `v${v}` });
    worker();
    await until(() => r.delivered.length >= 6);
    const ids = r.delivered.map((d) => Number(d.json.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(r.delivered.map((d) => d.json.event)).toEqual(['crm/accounts.created', ...Array(5).fill('crm/accounts.updated')]);
  });

  it('when two workers drain one database, then no change is delivered twice', async () => {
    const r = await receiver();
    await hook(r.url);
    const ids = (await Promise.all(Array.from({ length: 20 }, (_, i) => t.as().post(ACC).send({ company_id: 1, name: `Twice? ${i}` })))).map((x) => x.body.id);
    worker({ batch: 3 });
    worker({ batch: 3 });
    await until(() => r.delivered.length >= 20, 15000, '20 deliveries');
    await new Promise((res) => setTimeout(res, 100));
    expect(r.got.length).toBe(20);
    expect(new Set(r.got.map((g) => g.json.id)).size).toBe(20);
    expect(r.got.map((g) => g.json.data.id).sort()).toEqual([...ids].sort());
  });

  it('when a delivery fails every attempt, then it is marked failed and the webhook is disabled with the reason', async () => {
    const r = await receiver();
    r.answer = () => 500;
    const { id } = await hook(r.url);
    worker({ maxAttempts: 3 });
    await t.as().post(ACC).send({ company_id: 1, name: 'Doomed' });
    await until(async () => (await t.as().get(`${HOOKS}/${id}`)).body.enabled === false, 10000, 'the webhook to be disabled');
    const w = (await t.as().get(`${HOOKS}/${id}`)).body;
    expect(w.disabled_reason).toMatch(/failed 3 times; last error: HTTP 500/);
    const [d] = (await t.as().get(`${HOOKS}/${id}/deliveries`)).body;
    expect(d).toMatchObject({ status: 'failed', attempts: 3, response_code: 500 });
    expect(d.last_error.length).toBeLessThan(1100);
  });

  it('when the receiver answers with a redirect, then it is not followed and the attempt counts as failed', async () => {
    const r = await receiver();
    r.answer = (_req, n) => (n === 0 ? 302 : 200);
    const { id } = await hook(r.url);
    worker();
    await t.as().post(ACC).send({ company_id: 1, name: 'Redirected' });
    await until(() => r.delivered.length === 1);
    expect(r.got.map((g) => g.status)).toEqual([302, 200]);
    expect((await t.as().get(`${HOOKS}/${id}/deliveries`)).body[0].attempts).toBe(2);
  });

  it('when the receiver does not answer in time, then the attempt is abandoned and retried', async () => {
    const r = await receiver();
    let hung = false;
    r.answer = () => (hung ? 200 : ((hung = true), 'hang'));
    const { id } = await hook(r.url);
    worker({ timeoutMs: 1000 });
    await t.as().post(ACC).send({ company_id: 1, name: 'Slow' });
    await until(async () => (await t.as().get(`${HOOKS}/${id}/deliveries`)).body[0]?.status === 'delivered', 15000, 'the delivery');
    const [d] = (await t.as().get(`${HOOKS}/${id}/deliveries`)).body;
    expect(d.attempts).toBeGreaterThanOrEqual(2);
    expect(r.delivered.length).toBeGreaterThanOrEqual(1);
  });
});
