import { Response, Router } from 'express';
import type { Caller } from '../../core/caller';
import { BodyFormat } from '../../http/body';
import { crudRoutes } from '../../http/crud-routes';
import { validateBody } from '../../openapi/validator';
import { parseListQuery } from '../../query/parse';
import { ListResult } from '../../query/list';
import { CONTACT_FIELDS, contactCatalogue } from '../../domain/contacts/fields';
import { ContactResult, ContactRow, ContactService, CustomFieldsReader } from '../../domain/contacts/service';
import { customFieldsFromBody } from './custom-fields';
import { mapList, serializeRecord } from './serialize';

/** A stored contact → the v2 contact object, keys in catalogue order. */
export const serializeContact = (row: ContactRow) => serializeRecord(CONTACT_FIELDS, row, { custom_fields: row.custom_fields ?? {} });

interface WireContact {
  body: Record<string, unknown>;
  dupedEmail?: boolean;
}

const wire = (r: ContactResult): WireContact => ({ body: serializeContact(r.contact), dupedEmail: r.dupedEmail });
const reader = (format: BodyFormat): CustomFieldsReader => (raw, defs) => customFieldsFromBody(raw, defs, format);

/** Contacts over the v2 wire: the CRUD verbs, and the lists accounts embed (`?expand=contacts`, `/accounts/:id/contacts`). */
export class ContactsV2 {
  constructor(readonly service: ContactService, private readonly maxLimit: number) {}

  async list(caller: Caller, query: Record<string, unknown>, accountId?: number): Promise<ListResult> {
    // Definitions are read only when the query names a custom field.
    const needsCustom = Object.keys(query).some((k) => k.includes('custom_fields.')) || String(query._order ?? '').includes('custom_fields.');
    const customFields = needsCustom ? await this.service.definitions(caller) : new Map();
    const q = parseListQuery(query, { catalogue: contactCatalogue, customFields, maxLimit: this.maxLimit });
    return mapList(await this.service.list(caller, q, accountId), serializeContact);
  }

  async ofAccounts(caller: Caller, accountIds: number[]): Promise<Map<number, Record<string, unknown>[]>> {
    const out = new Map<number, Record<string, unknown>[]>();
    for (const [id, rows] of await this.service.ofAccounts(caller, accountIds)) out.set(id, rows.map(serializeContact));
    return out;
  }

  get = async (caller: Caller, id: number): Promise<WireContact> => ({ body: serializeContact(await this.service.get(caller, id)) });
  create = async (caller: Caller, body: unknown, format: BodyFormat) => wire(await this.service.create(caller, validateBody('ContactCreate', body, format), reader(format)));
  update = async (caller: Caller, id: number, body: unknown, format: BodyFormat) => wire(await this.service.update(caller, id, validateBody('ContactUpdate', body, format), reader(format)));
  remove = async (caller: Caller, id: number) => wire(await this.service.remove(caller, id));
}

function send(res: Response, r: WireContact) {
  if (r.dupedEmail) res.setHeader('X-Duped-Email', 'yes');
  res.json(r.body);
}

/** `/api/v2/crm/contacts`: the same verbs and query language as accounts. */
export function contactRoutes(v2: ContactsV2): Router {
  return crudRoutes(v2, send);
}
