import { unscopedTables } from '../support/org-scope';

/** The checker every spec's requests go through (spec/support/test-app.ts): it must catch what it is for. */
describe('the org_id statement checker', () => {
  it('when an update names a tenant row by id alone, then the table is reported', () => {
    expect(unscopedTables('update "comments" set "comment" = $1 where "id" = $2 returning *')).toEqual(['comments']);
  });

  it('when a join leaves one tenant table without its org_id, then only that table is reported', () => {
    const sql = 'select a.* from accounts a join account_tags at on at.account_id = a.id where a.org_id = $1';
    expect(unscopedTables(sql)).toEqual(['account_tags']);
  });

  it('when every tenant table is filtered or joined on org_id, then nothing is reported', () => {
    expect(unscopedTables('select "accounts".* from "accounts" where "accounts"."org_id" = $1 and "accounts"."id" = $2')).toEqual([]);
    expect(unscopedTables('select a.* from accounts a join account_tags at on at.org_id = a.org_id and at.account_id = a.id where a.org_id = $1')).toEqual([]);
    expect(unscopedTables('insert into "tags" ("name", "org_id") values ($1, $2) on conflict ("org_id", "name") do nothing')).toEqual([]);
  });

  it('when a statement reads only reference tables, then nothing is reported', () => {
    expect(unscopedTables('select * from "users" where lower(email) = $1 limit $2')).toEqual([]);
  });
});
