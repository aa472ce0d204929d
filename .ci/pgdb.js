// Creates or drops a throwaway database on the CI PostgreSQL server: node .ci/pgdb.js create|drop NAME
const { Client } = require('pg');
const [action, name] = process.argv.slice(2);
if (!/^[a-z0-9_]+$/.test(name || '')) throw new Error('database name must be [a-z0-9_]+');
const client = new Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
(async () => {
  await client.connect();
  if (action === 'create') await client.query(`CREATE DATABASE ${name}`);
  else if (action === 'drop') await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  else throw new Error(`unknown action ${action}`);
  await client.end();
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
