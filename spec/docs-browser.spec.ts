import fs from 'node:fs';
import path from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { clientAvailable } from './support/clients';
import { listen } from './support/listen';
import { ROOT } from './support/server-process';
import { makeTestApp, TestApp } from './support/test-app';

/**
 * /docs as a person uses it: Debian's Chromium (installed by .ci/run like the other real clients),
 * driven by playwright-core. Only loopback is reached; the flags keep Chromium off the network.
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** CI keeps this file as an artefact: the docs page after the last "Try it out". */
const SCREENSHOT = path.join(process.env.V2CRM_ARTIFACTS_DIR ?? path.join(ROOT, 'artifacts'), 'docs-try-it-out.png');

const available = clientAvailable('Chromium', [CHROMIUM, '--version']);
const d = available ? describe : describe.skip;

d('the Swagger UI at /docs in headless Chromium', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  jest.setTimeout(120000);

  beforeAll(async () => {
    t = await makeTestApp();
    server = await listen(t.app);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${server.base}/docs`);
    await page.locator('.swagger-ui .information-container').waitFor({ timeout: 60000 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  async function authorize(fill: (modal: ReturnType<Page['locator']>) => Promise<void>) {
    await page.locator('.scheme-container .auth-wrapper > .btn.authorize').click();
    const modal = page.locator('.dialog-ux .modal-ux');
    // Log out of whatever was authorised before, so exactly one scheme is in use.
    for (const logout of await modal.getByRole('button', { name: 'Logout' }).all()) await logout.click();
    await fill(modal);
    await modal.locator('.close-modal').click();
  }

  /** Opens an operation, presses "Try it out", lets `fill` enter inputs, executes; the shown status and body. */
  async function tryItOut(operation: string, fill: (op: ReturnType<Page['locator']>) => Promise<void>) {
    const op = page.locator(`#operations-accounts-${operation}`);
    if (!(await op.locator('.try-out').isVisible())) await op.locator('.opblock-summary').first().click();
    const tryOut = op.locator('.try-out__btn');
    if ((await tryOut.innerText()).trim() === 'Try it out') await tryOut.click();
    await fill(op);
    await op.locator('.execute').click();
    const live = op.locator('.live-responses-table .response').first();
    await live.waitFor({ timeout: 30000 });
    const status = Number((await live.locator('.response-col_status').innerText()).trim());
    const body = await live.locator('.response-col_description pre.microlight').first().innerText();
    const curl = await op.locator('.curl-command').innerText();
    await op.locator('.btn-clear').click().catch(() => undefined);
    return { status, body: JSON.parse(body) as Record<string, unknown>, curl };
  }

  it('when authorised with HTTP Basic, then "Try it out" on POST /api/v2/crm/accounts creates the account and shows it', async () => {
    await authorize(async (modal) => {
      await modal.getByLabel('auth-basic-username').fill(t.admin.email);
      await modal.getByLabel('auth-basic-password').fill(t.admin.password);
      await modal.locator('form').filter({ hasText: 'basicAuth' }).getByLabel('Apply credentials').click();
    });
    const shown = await tryItOut('createAccount', async (op) => {
      await op.locator('textarea.body-param__text').fill(JSON.stringify({ name: 'From the docs page', company_id: 1, is_customer: true }));
    });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ name: 'From the docs page', is_customer: true, company: expect.objectContaining({ id: 1 }) });
    expect(shown.curl).toMatch(/Authorization: Basic /);
    const stored = await t.knex('accounts').where({ id: shown.body.id as number }).first();
    expect(stored.name).toBe('From the docs page');
  });

  it('when authorised with an API token, then "Try it out" on GET /api/v2/crm/accounts/{id} shows the account', async () => {
    const account = await t.as().post('/api/v2/crm/accounts').send({ name: 'Read in the browser', company_id: 1 }).expect(200);
    const token = (await t.as().post('/api/v2/auth/tokens').send({ name: 'docs page' }).expect(201)).body.token as string;
    await authorize(async (modal) => {
      await modal.getByLabel('auth-bearer-value').fill(token);
      await modal.locator('form').filter({ hasText: 'bearerAuth' }).getByLabel('Apply credentials').click();
    });
    const shown = await tryItOut('getAccount', async (op) => {
      await op.locator('tr[data-param-name="id"] input').fill(String(account.body.id));
    });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: account.body.id, name: 'Read in the browser' });
    expect(shown.curl).toContain(`Authorization: Bearer ${token}`);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
