import { Router } from 'express';
import { Knex } from 'knex';
import { Catalogue, FieldDef } from '../query/catalogue';
import { parseListQuery } from '../query/parse';
import { listRows } from '../query/list';
import { sendList } from '../http/stream-json';
import { NotFoundError } from '../http/errors';

const col = (name: string, type: FieldDef['type'], nullable = false): FieldDef => ({ name, column: name, type, filterable: true, sortable: true, nullable });

export const currencyCatalogue: Catalogue = {
  resource: 'currency',
  table: 'currencies',
  fields: [col('id', 'integer'), col('code', 'string'), col('name', 'string'), col('symbol', 'string', true), col('html_code', 'string', true), col('is_base', 'boolean')],
};

/** The seed's nested currency object, keys in its order. */
export function serializeCurrency(r: Record<string, unknown>) {
  return { code: r.code, name: r.name, symbol: r.symbol, html_code: r.html_code, id: r.id, is_base: r.is_base };
}

/** `/api/v2/finance/currencies`: the organisation's ISO 4217 currencies. */
export function currencyRoutes(knex: Knex, maxLimit: number): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const q = parseListQuery(req.query as Record<string, unknown>, { catalogue: currencyCatalogue, customFields: new Map(), maxLimit });
    const list = await listRows<Record<string, unknown>>({
      knex,
      scoped: knex('currencies').where('currencies.org_id', req.user!.orgId),
      catalogue: currencyCatalogue,
      q,
      softDelete: false,
      serialize: async (rows) => rows.map(serializeCurrency),
    });
    await sendList(res, list);
  });
  r.get('/:code', async (req, res) => {
    const code = String(req.params.code).toUpperCase();
    const row = await knex('currencies').where({ org_id: req.user!.orgId, code }).first();
    if (!row) throw new NotFoundError('currency', String(req.params.code).slice(0, 20));
    res.json(serializeCurrency(row));
  });
  return r;
}
