import { Knex } from 'knex';

/** True when the company exists in the organisation (a record's `company_id` must name one). */
export async function companyExists(db: Knex, orgId: number, companyId: number): Promise<boolean> {
  return Boolean(await db('companies').where({ org_id: orgId, id: companyId }).first('id'));
}
