import { Knex } from 'knex';
import { INDUSTRY_COLUMNS } from './fields';

export type IndustryRow = { id: number; name: string };

/** The only SQL of industries. */
export class IndustryRepo {
  constructor(private readonly knex: Knex) {}

  list(orgId: number): Promise<IndustryRow[]> {
    return this.knex('industries').where({ org_id: orgId }).orderBy('name').select(INDUSTRY_COLUMNS);
  }

  async insert(orgId: number, name: string): Promise<IndustryRow> {
    const [row] = await this.knex('industries').insert({ org_id: orgId, name }).returning(INDUSTRY_COLUMNS);
    return row;
  }

  async delete(orgId: number, id: number): Promise<IndustryRow | undefined> {
    const [row] = await this.knex('industries').where({ org_id: orgId, id }).delete().returning(INDUSTRY_COLUMNS);
    return row;
  }
}
