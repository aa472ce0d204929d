import { makeTestApp, TestApp } from '../support/test-app';
import { REFERENCE_TABLES, schemaViolations, tenantTables } from './tenancy';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the schema can be distributed by org_id (docs/scaling.md)', () => {
  it('when the migrated schema is inspected, then every tenant table has org_id, and its keys and foreign keys include it', async () => {
    expect(await schemaViolations(t.knex)).toEqual([]);
  });

  it('when the tables are listed, then only orgs, users and api_tokens are reference tables and the rest are tenant tables', async () => {
    const tenants = await tenantTables(t.knex);
    expect(tenants).toEqual(expect.arrayContaining(['accounts', 'contacts', 'sales_invoices', 'account_tags', 'team_members', 'idempotency_keys']));
    expect(tenants.filter((x) => REFERENCE_TABLES.includes(x))).toEqual([]);
  });

  it('when a join row names an account of another organisation, then the database refuses it', async () => {
    const other = await t.addOrg();
    const [account] = await t.knex('accounts').insert({ org_id: 1, company_id: 1, name: 'Ours' }).returning('id');
    const [tag] = await t.knex('tags').insert({ org_id: other.orgId, name: 'theirs' }).returning('id');
    await expect(t.knex('account_tags').insert({ org_id: 1, account_id: account.id, tag_id: tag.id })).rejects.toThrow(/foreign key/);
  });

  it('when an account or a history row names an organisation that does not exist, then the database refuses it (through the company and the account: migration 018)', async () => {
    await expect(t.knex('accounts').insert({ org_id: 999, company_id: 1, name: 'Nowhere' })).rejects.toThrow(/accounts_company_id_foreign/);
    const [account] = await t.knex('accounts').insert({ org_id: 1, company_id: 1, name: 'Here' }).returning('id');
    await expect(t.knex('account_history').insert({ org_id: 999, account_id: account.id, action: 'create', version: 1, changes: '{}' })).rejects.toThrow(
      /account_history_account_id_foreign/,
    );
  });
});
