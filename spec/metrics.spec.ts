import { makeTestApp, TestApp } from './support/test-app';

const TOKEN = 'metrics-secret-0123456789';
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ metricsToken: TOKEN });
});
afterAll(() => t.close());

/** The value of one sample line, e.g. `v2crm_mail_outbox{status="queued"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('when a loopback client asks, then requests are counted by method, route template and status, with a latency histogram', async () => {
    const created = await t.as().post('/api/v2/crm/accounts').send({ name: 'Counted', company_id: 1 }).expect(200);
    await t.as().get(`/api/v2/crm/accounts/${created.body.id}`).expect(200);
    await t.as().get('/api/v2/crm/accounts/999999').expect(404);
    const res = await t.anon.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.text, 'v2crm_http_requests_total{method="GET",route="/api/v2/crm/accounts/{id}",status="200"}')).toBe(1);
    expect(sample(res.text, 'v2crm_http_requests_total{method="GET",route="/api/v2/crm/accounts/{id}",status="404"}')).toBe(1);
    expect(sample(res.text, 'v2crm_http_requests_total{method="POST",route="/api/v2/crm/accounts",status="200"}')).toBe(1);
    expect(sample(res.text, 'v2crm_http_request_duration_seconds_count{method="POST",route="/api/v2/crm/accounts",status="200"}')).toBe(1);
    expect(res.text).toMatch(/^v2crm_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v2\/crm\/accounts\/\{id\}",status="200"\} \d+$/m);
  });

  it('when random paths are probed, then they share one "other" route label', async () => {
    await t.anon.get('/wp-admin/setup.php').expect(404);
    await t.anon.get('/.env').expect(404);
    const res = await t.anon.get('/metrics');
    expect(sample(res.text, 'v2crm_http_requests_total{method="GET",route="other",status="404"}')).toBe(2);
    expect(res.text).not.toContain('wp-admin');
  });

  it('when scraped, then the database pool, the outbox by status and process figures are there', async () => {
    const account = await t.as().post('/api/v2/crm/accounts').send({ name: 'Mailed', company_id: 1, email: 'to@client.example' }).expect(200);
    await t.as().post(`/api/v2/crm/accounts/${account.body.id}/emails`).send({ recipients: ['to@client.example'], subject: 'Hi', html: '<p>Hi</p>' }).expect(201);
    const res = await t.anon.get('/metrics');
    expect(sample(res.text, 'v2crm_mail_outbox{status="queued"}')).toBe(1);
    expect(sample(res.text, 'v2crm_mail_outbox{status="failed"}')).toBe(0);
    expect(sample(res.text, 'v2crm_db_pool_connections{state="waiting"}')).toBe(0);
    expect(sample(res.text, 'v2crm_db_pool_connections{state="in_use"}')).toEqual(expect.any(Number));
    expect(sample(res.text, 'v2crm_db_pool_max')).toBeGreaterThanOrEqual(1);
    expect(sample(res.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('when a request comes through a proxy (X-Forwarded-For) without the token, then 401', async () => {
    const res = await t.anon.get('/metrics').set('X-Forwarded-For', '203.0.113.9');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body.error.code).toBe('unauthorized');
    const wrong = await t.anon.get('/metrics').set('X-Forwarded-For', '203.0.113.9').set('Authorization', 'Bearer not-the-token-at-all');
    expect(wrong.status).toBe(401);
  });

  it('when a proxied request carries METRICS_TOKEN as a Bearer token, then 200', async () => {
    const res = await t.anon.get('/metrics').set('X-Forwarded-For', '203.0.113.9').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('v2crm_http_requests_total');
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await makeTestApp();
  });
  afterAll(() => plain.close());

  it('when a client that is not loopback asks, then 403 saying how to allow it', async () => {
    const res = await plain.anon.get('/metrics').set('X-Forwarded-For', '203.0.113.9');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/METRICS_TOKEN/);
  });
});
