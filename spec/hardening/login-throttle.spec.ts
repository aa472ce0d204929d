import supertest from 'supertest';
import { LoginThrottle } from '../../src/auth/throttle';
import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const A = '/api/v2/crm/accounts';

describe('failed-login throttling (item 11)', () => {
  it('when one account gets 10 wrong passwords, then the next login for it is a 429 with Retry-After, even with the right password', async () => {
    const victim = await t.addUser();
    for (let i = 0; i < 10; i++) expect((await t.as({ email: victim.email, password: `wrong-${i}` }).get(A)).status).toBe(401);
    const r = await t.as(victim).get(A);
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(r.body.error.code).toBe('too_many_login_failures');
  });

  it('when one address floods wrong logins, then it gets 429s, and credentials verified before keep working', async () => {
    const regular = await t.addUser();
    expect((await t.as(regular).get(A)).status).toBe(200);
    expect((await t.as().get(A)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await t.as({ email: `nobody-${i}@example.com`, password: 'guess' }).get(A)).status);
    // The previous test's failures came from this address too: at most 30 in all are checked.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(30);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expect((await t.as(regular).get(A)).status).toBe(200);
    expect((await t.as().get(A)).status).toBe(200);
    const anon = await supertest(t.app).get(A).auth('someone@example.com', 'x');
    expect(anon.status).toBe(429);
    expect(anon.headers['retry-after']).toBeDefined();
  });
});

describe('bounded password hashing (item 11)', () => {
  it('when 20 logins are checked at once, then at most hashConcurrency hashes run together and all finish', async () => {
    const throttle = new LoginThrottle({ failsPerIpPerMinute: 100, failsPerAccountPer15Min: 100, hashConcurrency: 2 });
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        throttle.hashing(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('when more logins wait than the line holds, then the extra ones are a 503 with Retry-After', async () => {
    const throttle = new LoginThrottle({ failsPerIpPerMinute: 100, failsPerAccountPer15Min: 100, hashConcurrency: 1, hashQueue: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = [0, 1, 2].map(() => throttle.hashing(() => gate));
    await expect(throttle.hashing(async () => 1)).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    release();
    await Promise.all(held);
  });
});
