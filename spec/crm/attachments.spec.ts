import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { makeTestApp, TestApp } from '../support/test-app';
import { cleanFileName } from '../../src/dialects/v2/upload';

const MAX = 256 * 1024;
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ attachmentMaxBytes: MAX });
});
afterAll(() => t.close());

type Login = Awaited<ReturnType<TestApp['addUser']>>;

/** Every file under the attachments directory (temp and committed). */
function filesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (f: string) => out.push(f))(path.join(d, e.name));
  };
  walk(t.attachmentsDir);
  return out;
}

function binary(req: supertest.Test) {
  return req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

describe('attachments', () => {
  let uploader: Login, colleague: Login, stranger: Login;
  let account: number;
  beforeAll(async () => {
    [uploader, colleague, stranger] = [await t.addUser(), await t.addUser(), await t.addUser()];
    account = (await t.as(uploader).post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Files', assigned_to: [colleague.id] })).body.id;
  });

  it('when a binary file is uploaded and downloaded, then every byte, the name and the type come back', async () => {
    const bytes = crypto.randomBytes(200 * 1024);
    const up = await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', bytes, { filename: 'Contract – signed.pdf', contentType: 'application/pdf' });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ account_id: account, file_name: 'Contract – signed.pdf', content_type: 'application/pdf', size: bytes.length, uploaded_by: uploader.id });
    expect(up.body.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));

    const down = await binary(t.as(colleague).get(up.body.download_url));
    expect(down.status).toBe(200);
    expect(Buffer.compare(down.body as Buffer, bytes)).toBe(0);
    expect(down.headers['content-type']).toBe('application/pdf');
    expect(down.headers['content-disposition']).toContain("filename*=UTF-8''Contract%20%E2%80%93%20signed.pdf");
    expect(down.headers['x-content-type-options']).toBe('nosniff');

    const list = await t.as(colleague).get(`/api/v2/crm/accounts/${account}/attachments`);
    expect(list.body.map((a: { id: number }) => a.id)).toContain(up.body.id);
    expect((await t.as().get(`/api/v2/crm/attachments/${up.body.id}`)).body).toEqual(up.body);
  });

  it('when a file is larger than the limit, then 413 and nothing is left on disk or in the list', async () => {
    const before = filesOnDisk().length;
    const count = (await t.as().get(`/api/v2/crm/accounts/${account}/attachments`)).body.length;
    const big = await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', crypto.randomBytes(MAX + 1), 'big.bin');
    expect(big.status).toBe(413);
    expect(big.body.error.details[0].field).toBe('attachment');
    // Declared far too large up front: refused before reading.
    const huge = await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', crypto.randomBytes(MAX * 2), 'huge.bin');
    expect(huge.status).toBe(413);
    expect(filesOnDisk()).toHaveLength(before);
    expect((await t.as().get(`/api/v2/crm/accounts/${account}/attachments`)).body).toHaveLength(count);
    // Exactly at the limit is fine.
    expect((await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', Buffer.alloc(MAX, 1), 'max.bin')).status).toBe(201);
  });

  it('when a file name has directories, control characters or nothing, then only a clean label remains', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\report.docx')).toBe('report.docx');
    expect(cleanFileName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName('dir/')).toBe('file');
    expect(cleanFileName(undefined)).toBe('file');
    expect(cleanFileName('x'.repeat(300))).toHaveLength(255);
  });

  it.each(['../../etc/passwd', '..\\..\\windows\\win.ini', '/abs/path/x.txt', '..'])(
    'when the file name is %j, then it stays a label: stored under a random key inside the directory',
    async (name) => {
      const up = await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', Buffer.from('x'), { filename: name, contentType: 'text/plain' });
      expect(up.status).toBe(201);
      expect(up.body.file_name).not.toMatch(/[/\\]/);
      expect(['..', '.']).not.toContain(up.body.file_name);
      for (const f of filesOnDisk()) expect(path.resolve(f).startsWith(path.resolve(t.attachmentsDir) + path.sep)).toBe(true);
      // Only random hex keys under files/: the client's name appears nowhere on disk.
      expect(filesOnDisk().every((f) => /[/\\]files[/\\][0-9a-f]{32}$/.test(f))).toBe(true);
    },
  );

  it('when the body is not multipart or has no file, then 415 / 400; an Idempotency-Key on an upload is a 400', async () => {
    expect((await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).send({ file: 'x' })).status).toBe(415);
    const none = await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).field('comment', 'no file');
    expect(none.status).toBe(400);
    expect(none.body.error.details[0].field).toBe('attachment');
    const keyed = await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).set('Idempotency-Key', 'k1').attach('attachment', Buffer.from('x'), 'a.txt');
    expect(keyed.status).toBe(400);
    expect(keyed.body.error.details[0].field).toBe('Idempotency-Key');
  });

  it('when others delete or read attachments, then uploader and admin may delete, colleagues 403, strangers 404', async () => {
    const make = async () => (await t.as(uploader).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', Buffer.from('bye'), 'bye.txt')).body;
    const a = await make();
    expect((await t.as(stranger).get(`/api/v2/crm/attachments/${a.id}`)).status).toBe(404);
    expect((await t.as(stranger).get(`/api/v2/crm/attachments/${a.id}/download`)).status).toBe(404);
    expect((await t.as(stranger).post(`/api/v2/crm/accounts/${account}/attachments`).attach('attachment', Buffer.from('x'), 'x.txt')).status).toBe(404);
    expect((await t.as(colleague).delete(`/api/v2/crm/attachments/${a.id}`)).status).toBe(403);
    const before = filesOnDisk().length;
    expect((await t.as(uploader).delete(`/api/v2/crm/attachments/${a.id}`)).status).toBe(204);
    expect(filesOnDisk()).toHaveLength(before - 1);
    expect((await t.as(uploader).get(`/api/v2/crm/attachments/${a.id}/download`)).status).toBe(404);
    const b = await make();
    expect((await t.as().delete(`/api/v2/crm/attachments/${b.id}`)).status).toBe(204);
    expect((await t.as().delete(`/api/v2/crm/attachments/${b.id}`)).status).toBe(404);
  });
});
