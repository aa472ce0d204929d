import express from 'express';
import supertest from 'supertest';
import { conformanceRecorder, violations } from './conformance';

/** The recorder itself: it must flag what does not match openapi.yaml, or it checks nothing. */
describe('response conformance recorder', () => {
  const app = express();
  app.use(conformanceRecorder);
  app.get('/api/v2/crm/accounts/:id', (req, res) => {
    if (req.params.id === '1') res.json({ foo: 1 });
    else if (req.params.id === '2') res.status(418).json({ error: { code: 'x', message: 'y' } });
    else res.status(404).json({ error: { code: 'not_found', message: 'nope' } });
  });
  app.get('/api/v2/crm/accounts', (_req, res) => {
    res.type('application/json');
    res.write('[{"id": "not a number"}');
    res.end(']');
  });
  afterEach(() => violations.splice(0));

  it('when a 200 body lacks the documented fields, then a violation names the route', async () => {
    await supertest(app).get('/api/v2/crm/accounts/1');
    await new Promise((r) => setImmediate(r));
    expect(violations).toEqual([expect.stringMatching(/^GET \/api\/v2\/crm\/accounts\/\{id\} 200: .*must have required property/)]);
  });

  it('when a status is not documented, then a violation says so', async () => {
    await supertest(app).get('/api/v2/crm/accounts/2');
    await new Promise((r) => setImmediate(r));
    expect(violations).toEqual(['GET /api/v2/crm/accounts/{id}: status 418 is not documented']);
  });

  it('when a documented error matches, then nothing is recorded', async () => {
    await supertest(app).get('/api/v2/crm/accounts/3');
    await new Promise((r) => setImmediate(r));
    expect(violations).toEqual([]);
  });

  it('when a streamed list has a wrongly typed item, then it is caught', async () => {
    await supertest(app).get('/api/v2/crm/accounts');
    await new Promise((r) => setImmediate(r));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/^GET \/api\/v2\/crm\/accounts 200: /);
  });
});
