import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { makeTestApp, TestApp } from '../support/test-app';
import { v2RecordSource } from '../../src/compose/records';
import { WebhookWorker } from '../../src/sync/worker';
import { Received, Receiver, until } from './receiver';

const run = promisify(execFile);
const DOC = fs.readFileSync(path.join(__dirname, '../../docs/sync.md'), 'utf8');

/** The first fenced block of `lang` after the bold `label` in docs/sync.md. */
function snippet(label: string, lang: string): string {
  const at = DOC.indexOf(`**${label}**`);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(DOC.slice(at));
  if (at < 0 || !m) throw new Error(`docs/sync.md has no ${lang} block after **${label}**`);
  return m[1];
}

let t: TestApp;
let r: Receiver;
let delivery: Received;
let secret: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-snippets-'));
beforeAll(async () => {
  t = await makeTestApp({ webhookAllowPrivateTargets: true });
  r = await new Receiver().start();
  secret = (await t.as().post('/api/v2/webhooks').send({ url: r.url, events: ['*'] })).body.secret;
  const worker = new WebhookWorker(t.knex, v2RecordSource(t.knex, t.attachmentsDir), pino({ level: 'silent' }), { allowPrivateTargets: true, retryBaseMs: 10 });
  worker.start(10);
  await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Verified élan' });
  await until(() => r.delivered.length === 1);
  await worker.stop();
  delivery = r.delivered[0];
});
afterAll(async () => {
  await r.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

describe('the documented signature checks, run on a real delivery', () => {
  const sh = async (body: string) => {
    fs.writeFileSync(path.join(dir, 'body.json'), body);
    const { stdout } = await run('sh', ['-c', snippet('Shell', 'sh')], { cwd: dir, env: { ...process.env, SIG: String(delivery.headers['x-v2crm-signature']), SECRET: secret } });
    return stdout.trim();
  };
  const py = async (body: string) => {
    const code = `${snippet('Python', 'python')}\nimport sys\nprint(verify(sys.argv[1], open(sys.argv[2], 'rb').read(), sys.argv[3]))`;
    fs.writeFileSync(path.join(dir, 'py-body'), body);
    const { stdout } = await run('python3', ['-c', code, secret, path.join(dir, 'py-body'), String(delivery.headers['x-v2crm-signature'])]);
    return stdout.trim();
  };

  it('when the shell check gets the delivery as sent, then it says valid', async () => {
    expect(await sh(delivery.body)).toBe('valid');
  });

  it('when the shell check gets a body changed by one character, then it says INVALID', async () => {
    expect(await sh(delivery.body.replace('élan', 'elan'))).toBe('INVALID');
  });

  it('when the Python check gets the delivery as sent, then it returns True', async () => {
    expect(await py(delivery.body)).toBe('True');
  });

  it('when the Python check gets a changed body, then it returns False', async () => {
    expect(await py(delivery.body.replace('élan', 'elan'))).toBe('False');
  });

  it('when the curl snippet sends a signed test delivery, then the Python check accepts what arrived', async () => {
    const before = r.got.length;
    await run('sh', ['-c', snippet('curl', 'sh')], { env: { ...process.env, SECRET: secret, RECEIVER_URL: r.url } });
    const got = r.got[before];
    const code = `${snippet('Python', 'python')}\nimport sys\nprint(verify(sys.argv[1], sys.argv[2].encode(), sys.argv[3]))`;
    const { stdout } = await run('python3', ['-c', code, secret, got.body, String(got.headers['x-v2crm-signature'])]);
    expect(stdout.trim()).toBe('True');
  });
});
