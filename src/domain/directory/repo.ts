import { Knex } from 'knex';

/** A user as the organisation's directory shows it. */
export interface UserInfo {
  id: number;
  orgId: number;
  email: string;
  name: string | null;
  role: 'admin' | 'user';
  isActive: boolean;
  created: Date;
}

/**
 * Reads of the organisation's directory (users, its organisation, teams, tags, companies) that a
 * dialect needs for lookups and forms, and the one write a Django-CRM client implies (an industry
 * from its fixed choices). The only SQL of these lookups: dialects hold no database handle.
 */
export class Directory {
  constructor(private readonly knex: Knex) {}

  async user(id: number): Promise<UserInfo | undefined> {
    const r = await this.knex('users').where({ id }).first('id', 'org_id', 'email', 'name', 'role', 'is_active', 'created');
    return r && { id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role, isActive: r.is_active, created: r.created };
  }

  /** The organisations a user belongs to (v2crm: a user is a member of exactly one). */
  async orgsOf(user: UserInfo): Promise<{ id: number; name: string; role: string }[]> {
    const org = await this.knex('orgs').where({ id: user.orgId }).first('id', 'name');
    return org ? [{ id: org.id, name: org.name, role: user.role }] : [];
  }

  async org(orgId: number): Promise<{ id: number; name: string } | undefined> {
    return this.knex('orgs').where({ id: orgId }).first('id', 'name');
  }

  /** The organisation's active users (Django-CRM's profiles). */
  async users(orgId: number): Promise<UserInfo[]> {
    const rows = await this.knex('users').where({ org_id: orgId, is_active: true }).orderBy('id').select('id', 'org_id', 'email', 'name', 'role', 'is_active', 'created');
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role, isActive: r.is_active, created: r.created }));
  }

  async usersById(ids: number[]): Promise<Map<number, UserInfo>> {
    if (!ids.length) return new Map();
    const rows = await this.knex('users').whereIn('id', [...new Set(ids)]).select('id', 'org_id', 'email', 'name', 'role', 'is_active', 'created');
    return new Map(rows.map((r) => [r.id, { id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role, isActive: r.is_active, created: r.created }]));
  }

  // ---- lookups for the Django-CRM shapes (no service exists for these reads) ----

  async teams(orgId: number): Promise<{ id: number; name: string; description: string | null; created: Date }[]> {
    return this.knex('teams').where({ org_id: orgId }).orderBy('id').select('id', 'name', 'description', 'created');
  }

  async tags(orgId: number): Promise<{ id: number; name: string }[]> {
    return this.knex('tags').where({ org_id: orgId }).orderBy('id').select('id', 'name');
  }

  /** The first company of the organisation: where a Django-CRM client's new accounts go. */
  async defaultCompanyId(orgId: number): Promise<number | undefined> {
    return (await this.knex('companies').where({ org_id: orgId }).orderBy('id').first('id'))?.id;
  }

  /** Makes one of Django-CRM's fixed industry choices available in the organisation's managed list. */
  async ensureIndustry(orgId: number, label: string): Promise<void> {
    const existing = await this.knex('industries').where({ org_id: orgId }).whereRaw('lower(name) = ?', [label.toLowerCase()]).first('id');
    if (!existing) await this.knex('industries').insert({ org_id: orgId, name: label }).onConflict(['org_id', 'name']).ignore();
  }

  /** Creator of each account (the v2 shape does not carry it). */
  async accountCreators(orgId: number, ids: number[]): Promise<Map<number, number | null>> {
    if (!ids.length) return new Map();
    const rows = await this.knex('accounts').where('org_id', orgId).whereIn('id', ids).select('id', 'created_by');
    return new Map(rows.map((r) => [r.id as number, r.created_by as number | null]));
  }
}
