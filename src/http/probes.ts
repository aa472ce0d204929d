import express, { Router } from 'express';
import { Knex } from 'knex';
import { schemaMismatch, schemaStatus } from '../db/schema-status';

/**
 * Probes for load balancers and orchestrators, without auth. `/health` says the process is up
 * (it never touches the database, so a database outage does not get every process restarted);
 * `/ready` says this process should get traffic: the database answers and its schema is the one this
 * build was made for (a newer version migrating the database takes older processes out of rotation).
 */
export function probeRoutes(knex: Knex): Router {
  const r = express.Router();
  r.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/ready', async (_req, res) => {
    let mismatch: string | undefined;
    try {
      mismatch = schemaMismatch(await schemaStatus(knex));
    } catch (e) {
      res.status(503).json({ status: 'unavailable', reason: `database unreachable: ${(e as Error).message}` });
      return;
    }
    if (mismatch) res.status(503).json({ status: 'unavailable', reason: mismatch });
    else res.json({ status: 'ready' });
  });
  return r;
}
