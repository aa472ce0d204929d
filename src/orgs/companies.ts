import { Knex } from 'knex';
import { COMPANY_SETTINGS_DEFAULT } from './service';

/** The nested `company` object of an account, as the seed document prints it. */
export interface CompanyWire {
  registration_numbers: string | null;
  code: string;
  name: string;
  settings: Record<string, unknown> | null;
  bank_details: string | null;
  currency: {
    code: string;
    name: string;
    symbol: string | null;
    html_code: string | null;
    id: number;
    is_base: boolean;
  };
  id: number;
  currency_code: string;
  account_id: number | null;
}

const SETTINGS_ORDER = Object.keys(COMPANY_SETTINGS_DEFAULT);

/**
 * Settings keys in the seed's order (`time_format, date_format, locale, week_starts,
 * non_working_days`), then any others as stored: jsonb keeps keys sorted by length, not as written.
 */
function inSeedOrder(settings: Record<string, unknown> | null): Record<string, unknown> | null {
  if (settings === null || typeof settings !== 'object') return settings;
  const out: Record<string, unknown> = {};
  for (const k of SETTINGS_ORDER) if (k in settings) out[k] = settings[k];
  for (const [k, v] of Object.entries(settings)) if (!(k in out)) out[k] = v;
  return out;
}

/** All companies of an organisation with their currency, in one query: an org has a handful. */
export async function loadCompanies(knex: Knex, orgId: number, ids?: number[]): Promise<Map<number, CompanyWire>> {
  const q = knex('companies as co')
    .join('currencies as cu', function () {
      this.on('cu.org_id', 'co.org_id').andOn('cu.code', 'co.currency_code');
    })
    .where('co.org_id', orgId)
    .select(
      'co.id', 'co.code', 'co.name', 'co.settings', 'co.bank_details', 'co.registration_numbers',
      'co.currency_code', 'co.account_id',
      'cu.id as cu_id', 'cu.name as cu_name', 'cu.symbol as cu_symbol', 'cu.html_code as cu_html_code',
      'cu.is_base as cu_is_base',
    );
  if (ids) q.whereIn('co.id', ids);
  const rows = await q;
  const out = new Map<number, CompanyWire>();
  for (const r of rows) {
    out.set(r.id, {
      registration_numbers: r.registration_numbers,
      code: r.code,
      name: r.name,
      settings: inSeedOrder(r.settings),
      bank_details: r.bank_details,
      currency: {
        code: r.currency_code,
        name: r.cu_name,
        symbol: r.cu_symbol,
        html_code: r.cu_html_code,
        id: r.cu_id,
        is_base: r.cu_is_base,
      },
      id: r.id,
      currency_code: r.currency_code,
      account_id: r.account_id,
    });
  }
  return out;
}

/**
 * An organisation's companies, remembered for a few seconds: every account response nests its
 * company, and companies change only through the CLI (`org add`). A company id not in the
 * remembered set reloads it at once, so a new company is never refused. With a database server,
 * `forget` is called on every change (LISTEN/NOTIFY, src/db/notify.ts), so the TTL only bounds
 * staleness while that listener is disconnected.
 */
export class CompanyCache {
  private readonly byOrg = new Map<number, { at: number; companies: Map<number, CompanyWire> }>();

  constructor(private readonly ttlMs = 10_000) {}

  /** `db` is used on a miss (pass the caller's transaction inside one). */
  async get(db: Knex, orgId: number, needId?: number): Promise<Map<number, CompanyWire>> {
    const hit = this.byOrg.get(orgId);
    if (hit && Date.now() - hit.at < this.ttlMs && (needId === undefined || hit.companies.has(needId))) return hit.companies;
    const companies = await loadCompanies(db, orgId);
    this.byOrg.set(orgId, { at: Date.now(), companies });
    return companies;
  }

  /** Another process (or the CLI, or SQL) changed an organisation's companies: `undefined` = every org. */
  forget(orgId: number | undefined): void {
    if (orgId === undefined) this.byOrg.clear();
    else this.byOrg.delete(orgId);
  }

  async exists(db: Knex, orgId: number, id: number): Promise<boolean> {
    return (await this.get(db, orgId, id)).has(id);
  }
}
