import { Catalogue, FieldDef, ScalarType } from '../../query/catalogue';

const f = (name: string, type: ScalarType, nullable = false): FieldDef => ({ name, column: name, type, filterable: true, sortable: true, nullable });

export const invoiceCatalogue: Catalogue = {
  resource: 'sales invoice',
  table: 'sales_invoices',
  fields: [
    f('id', 'integer'),
    f('account_id', 'integer'),
    f('company_id', 'integer'),
    f('currency_code', 'string'),
    f('date', 'date'),
    f('due_date', 'date', true),
    f('reference', 'string', true),
    f('description', 'string', true),
    f('total', 'decimal'),
    f('amount_paid', 'decimal'),
    f('status', 'string'),
    f('is_deleted', 'boolean'),
    f('created', 'datetime'),
    f('updated', 'datetime'),
  ],
};
