#!/usr/bin/env node
// Seeded fuzzer over every route and method of openapi.yaml and openapi-djangocrm.yaml (the Django-CRM
// facade), against a real server process.
//   node faults/fuzz.mjs [--requests 20000] [--seed 1] [--concurrency 8] [--database-url URL]
// --database-url URL: that PostgreSQL database (empty, or a v2crm one); else PGlite in a temp DATA_DIR.
// Fails (exit 1) on any 5xx, any error status without a JSON {"error": ...} body (the facade: any of
// Django-CRM's JSON error envelopes), or the process exiting.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { basic, flag, prng, request, ROOT, startServer, stopServer } from './lib.mjs';

const REQUESTS = flag('requests', 20000);
const SEED = flag('seed', 1);
const CONCURRENCY = flag('concurrency', 8);
const rnd = prng(SEED);
// A lone surrogate cannot be percent-encoded: it goes out as the malformed bytes a hostile client would send.
const enc = (v) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
};

const spec = load(fs.readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8'), { schema: CORE_SCHEMA });
const ops = [];
for (const [template, item] of Object.entries(spec.paths)) {
  for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    if (item[method]) ops.push({ template, method: method.toUpperCase(), op: item[method] });
  }
}
// The Django-CRM facade's operations (src/dialects/djangocrm), with their own document for $refs.
const djangoSpec = load(fs.readFileSync(path.join(ROOT, 'openapi-djangocrm.yaml'), 'utf8'), { schema: CORE_SCHEMA });
for (const [template, item] of Object.entries(djangoSpec.paths)) {
  for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    if (item[method]) ops.push({ template, method: method.toUpperCase(), op: item[method], facade: true });
  }
}

const resolveRef = (o, root = spec) => (o && o.$ref ? resolveRef(o.$ref.split('/').slice(1).reduce((a, k) => a[k], root), root) : o);
function bodyFields(op, root = spec) {
  const resolveRef2 = (o) => resolveRef(o, root);
  const schema = resolveRef2(op.requestBody?.content?.['application/json']?.schema);
  const props = {};
  const collect = (s) => {
    s = resolveRef2(s);
    if (!s) return;
    Object.assign(props, s.properties ?? {});
    for (const sub of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) collect(sub);
  };
  collect(schema);
  return Object.keys(props);
}
for (const o of ops) o.fields = bodyFields(o.op, o.facade ? djangoSpec : spec);
const ALL_FIELDS = [...new Set(ops.flatMap((o) => o.fields))];

const HOSTILE_STRINGS = [
  '', ' ', 'a', "'", '"', '\\', '%', '%%', '\u0000', 'a\u0000b', '\ud800', '😀', 'ß', 'x'.repeat(5000), '<script>', '../../etc/passwd',
  '1e309', '-0', 'NaN', 'null', 'true', '2026-13-45', '2026-02-30T25:61:00Z', '1.23456789012345678901234567890', '9'.repeat(40), ' 1', '0x10',
];
const HOSTILE_PATH = ['0', '-1', '1', '2', '3', '5', '2147483647', '2147483648', '99999999999999999999', 'abc', '1.5', '%00', '%ED%A0%80', '%C0', '%', '%2F', '..', '%2e%2e', 'a%00b', 'GBP', 'EUR', 'field_1', 'field_99', '%20', '1;2', '~'];
// Facade ids: UUIDs of every type code (ours), other UUIDs, and what Python's uuid.UUID() half-accepts.
const HOSTILE_UUID = [
  '00000001-0000-8000-8000-000000000001', '00000001-0000-8000-8000-000000000002', '00000003-0000-8000-8000-000000000001', '00000004-0000-8000-8000-000000000001',
  '00000001000080008000000000000001', '{00000001-0000-8000-8000-000000000001}', 'urn:uuid:00000001-0000-8000-8000-000000000001', '00000001-0000-8000-8000-0000ffffffff',
  '00000001-0000-8000-8000-ffffffffffff', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '123e4567-e89b-12d3-a456-426614174000', 'account-uuid', '1', '%00', '%ED%A0%80', '%C0', '%', '..', '%20',
];
const FACADE_QUERY_KEYS = ['limit', 'offset', 'name', 'city', 'industry', 'tags', 'assigned_to', 'search', 'created_at__gte', 'created_at__lte', 'cf_field_1', 'cf_', 'status'];
const QUERY_KEYS = ['_limit', '_page', '_order', 'name', 'name__ct', 'name__in', 'id__gt', 'id__in', 'updated__gt', 'is_deleted', 'is_deleted__in', 'custom_fields.field_1__eq', 'custom_fields.x', 'expand', 'display_currency', 'status', 'tags__in', 'city', 'foo', 'name__zz', '_order[]', 'a[b][c]', '__proto__', 'constructor[prototype]', 'id__isnull', 'total__ge', 'code__in', 'account_id'];
const QUERY_VALUES = ['1', '0', '-1', '10001', 'id', '-id', 'name,id', 'updated,id', 'true', 'false', 'x', '%00', '%ED%A0%80', 'a,b,c', '2026-01-01', 'contacts,invoices', 'USD', 'XXX', '', '%25', "'", '9'.repeat(30)];

function randomValue(depth = 0) {
  switch (rnd.int(depth > 3 ? 6 : 9)) {
    case 0: return rnd.pick(HOSTILE_STRINGS);
    case 1: return rnd.int(10) - 2;
    case 2: return rnd.pick([0.1, 1e308, -1e308, 2 ** 53 + 1, 12.345, -0]);
    case 3: return rnd.chance(0.5);
    case 4: return null;
    case 5: return `v${rnd.int(1000)}`;
    case 6: return Array.from({ length: rnd.int(4) }, () => randomValue(depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: rnd.int(4) }, () => [rnd.pick([...ALL_FIELDS, 'field_1', 'x', '__proto__']), randomValue(depth + 1)]));
    default: return rnd.int(6);
  }
}

function randomBody(o) {
  const kind = rnd.int(20);
  if (kind === 0) return { type: 'application/json', body: rnd.pick(['{', '[', '{"a":', 'nul', '"\\ud800"', '{"name": "x",}', '1e999999']) };
  if (kind === 1) return { type: 'application/json', body: `${'['.repeat(3000)}${']'.repeat(3000)}` };
  if (kind === 2) return { type: 'application/x-www-form-urlencoded', body: `name=${enc(rnd.pick(HOSTILE_STRINGS))}&company_id=1&a[b][c][d]=1&${rnd.pick(QUERY_KEYS)}=${rnd.pick(QUERY_VALUES)}` };
  if (kind === 3) return { type: rnd.pick(['text/plain', 'application/xml', 'multipart/form-data', 'multipart/form-data; boundary=B', 'application/json; charset=latin1']), body: '--B\r\nContent-Disposition: form-data; name="attachment"; filename="a"\r\n\r\nhi' };
  if (kind === 4) return { type: 'application/json', body: '{"name":"gz","company_id":1}', encoding: rnd.pick(['gzip', 'deflate', 'br', 'compress', 'identity, gzip']) };
  if (kind === 5) return { type: 'application/json', body: JSON.stringify(randomValue()) };
  const obj = {};
  const fields = o.fields.length ? o.fields : ALL_FIELDS;
  for (const f of fields) if (rnd.chance(0.35)) obj[f] = randomValue();
  if (rnd.chance(0.6)) obj.company_id = rnd.pick([1, 1, 2, '1', 0]);
  if (rnd.chance(0.6)) obj.name = rnd.pick([`fuzz ${rnd.int(1e6)}`, ...HOSTILE_STRINGS]);
  if (o.template.endsWith('_bulk')) obj.operations = Array.from({ length: rnd.int(4) }, () => ({ action: rnd.pick(['create', 'update', 'upsert', 'x']), id: rnd.int(6), external_id: rnd.pick(['e1', 'e2', '\u0000']), data: { name: `b${rnd.int(100)}`, company_id: 1 } }));
  return { type: 'application/json', body: JSON.stringify(obj) };
}

function randomRequest(users) {
  const o = rnd.pick(ops);
  const p = o.template.replace(/\{[^}]+\}/g, () => rnd.pick(o.facade ? HOSTILE_UUID : HOSTILE_PATH));
  const keys = o.facade ? FACADE_QUERY_KEYS : QUERY_KEYS;
  const values = o.facade ? [...QUERY_VALUES, ...HOSTILE_UUID] : QUERY_VALUES;
  const params = Array.from({ length: rnd.int(4) }, () => `${enc(rnd.pick(keys))}=${rnd.chance(0.8) ? enc(rnd.pick(values)) : rnd.pick(values)}`);
  if (rnd.chance(0.003)) for (let i = 0; i < 1100; i++) params.push(`id__ne=${i}`);
  const headers = {};
  // Wrong credentials are rare: each costs a deliberate ~75 ms password hash.
  const who = rnd.int(100);
  if (who < 97) headers.Authorization = o.facade && users.bearer && rnd.chance(0.8) ? users.bearer : users.admin;
  else if (who === 97) headers.Authorization = rnd.pick([basic('admin@example.com', 'wrong'), 'Basic !!!', 'Bearer x', basic('a\u0000b', 'c')]);
  let body;
  if (['POST', 'PUT', 'PATCH'].includes(o.method) || rnd.chance(0.05)) {
    const b = randomBody(o);
    headers['Content-Type'] = b.type;
    if (b.encoding) headers['Content-Encoding'] = b.encoding;
    body = b.body;
  }
  if (o.method !== 'GET' && rnd.chance(0.2)) headers['Idempotency-Key'] = rnd.chance(0.9) ? `fz-${rnd.int(300)}` : rnd.pick(['', 'x'.repeat(300), 'ü']);
  if (rnd.chance(0.1)) headers['If-Match'] = rnd.pick(['"x"', '*', 'W/"1"', '']);
  if (o.facade && rnd.chance(0.1)) headers[rnd.pick(['org', 'X-Organization-ID', 'organization-id'])] = rnd.pick(['00000008-0000-8000-8000-000000000001', '00000008-0000-8000-8000-000000000002', 'x', '']);
  return { method: o.method, path: `${p}${params.length ? `?${params.join('&')}` : ''}`, headers, body, label: `${o.method} ${o.template}`, facade: o.facade };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-fuzz-'));
  const env = { DATABASE_URL: flag('database-url', ''), DATA_DIR: dir, ADMIN_PASSWORD: 'fuzz-admin-pass', ATTACHMENTS_DIR: path.join(dir, 'files'), LOGIN_FAILS_PER_IP: '1000000', LOGIN_FAILS_PER_ACCOUNT: '1000000' };
  const server = await startServer(env);
  const failures = [];
  const byStatus = new Map();
  const byRoute = new Map();
  const t0 = Date.now();
  let serverLog = '';
  try {
    const admin = basic('admin@example.com', 'fuzz-admin-pass');
    const post = (p, b) => request(server.port, { method: 'POST', path: p, headers: { Authorization: admin, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    // A little real data, so ids 1..5 often exist.
    await post('/api/v2/meta/crm/accounts/custom_fields', { type: 'integer', label: 'Seats' });
    for (let i = 0; i < 5; i++) {
      await post('/api/v2/crm/accounts', { name: `seed ${i}`, company_id: 1 });
      await post('/api/v2/crm/contacts', { last_name: `seed ${i}`, company_id: 1, account_id: 1 });
      await post('/api/v2/crm/accounts/1/comments', { comment: `seed ${i}` });
      await post('/api/v2/finance/sales_invoices', { account_id: 1, company_id: 1, currency_code: 'GBP', date: '2026-11-01', total: 10 });
    }
    await post('/api/v2/crm/teams', { name: 'seed team' });
    const u = await post('/api/v2/crm/accounts', { name: 'x', company_id: 1 });
    if (u.status !== 200) throw new Error(`seeding failed: ${u.status} ${u.text}`);
    // A Django-CRM client's Bearer token (POST /api/auth/login/) for the facade's routes.
    const login = await request(server.port, { method: 'POST', path: '/api/auth/login/', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'fuzz-admin-pass' }) });
    if (login.status !== 200) throw new Error(`facade login failed: ${login.status} ${login.text}`);
    const users = { admin, bearer: `Bearer ${JSON.parse(login.text).access_token}` };

    let sent = 0;
    const worker = async () => {
      while (sent < REQUESTS && !server.exited) {
        sent++;
        const r = randomRequest(users);
        let res;
        try {
          res = await request(server.port, r);
        } catch (e) {
          if (server.exited) break;
          // A connection the server closed on purpose (Connection: close after a 413/431) is not a failure.
          if (/socket hang up|ECONNRESET|EPIPE/.test(String(e))) continue;
          failures.push(`${r.label}: ${e.message} (${r.method} ${r.path.slice(0, 200)})`);
          continue;
        }
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        byRoute.set(r.label, (byRoute.get(r.label) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${r.label} → ${res.status} ${res.text.slice(0, 200)} (${r.method} ${r.path.slice(0, 200)} ${String(r.body ?? '').slice(0, 200)})`);
        else if (res.status >= 400) {
          let ok = false;
          try {
            const parsed = /application\/json/.test(res.headers['content-type'] ?? '') ? JSON.parse(res.text) : undefined;
            // The facade answers in Django-CRM's envelopes: {"detail"}, {"error": true, "errors"} or {"<field>": [...]}.
            ok = r.facade ? parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length > 0 : typeof parsed?.error?.code === 'string';
          } catch {
            ok = false;
          }
          if (!ok) failures.push(`${r.label} → ${res.status} without a JSON error body: ${res.text.slice(0, 200)} (${r.method} ${r.path.slice(0, 200)})`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (server.exited) failures.push(`the server exited: ${JSON.stringify(server.exited)} ${server.stderrText().slice(-2000)}`);
  } finally {
    serverLog = server.stderrText();
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const secs = (Date.now() - t0) / 1000;
  const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
  console.log(`fuzz: seed ${SEED}, ${total} requests over ${ops.length} operations (${byRoute.size} hit) in ${secs.toFixed(1)} s (${(total / secs).toFixed(0)} req/s)`);
  console.log(`fuzz: by status ${[...byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  if (failures.length) {
    console.log(`fuzz: ${failures.length} failures; first ones:`);
    for (const f of [...new Set(failures)].slice(0, 30)) console.log(`  ${f}`);
    // What the server logged about them (its error lines), so a CI log alone says where to look.
    const errors = serverLog.split('\n').filter((l) => /"level":(50|60)/.test(l));
    if (errors.length) console.log(`fuzz: the server's error log (${errors.length} lines; first 5):\n${errors.slice(0, 5).join('\n')}`);
    process.exit(1);
  }
  if (total < REQUESTS) {
    console.log(`fuzz: only ${total} of ${REQUESTS} requests were answered`);
    process.exit(1);
  }
  console.log('fuzz: no 5xx, every error JSON, the server never exited');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
