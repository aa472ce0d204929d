import { Request, Response, Router } from 'express';
import { requireJsonOrForm } from '../../../http/body';
import { idParam } from '../../../http/params';
import { QueryError, ValidationError } from '../../../core/errors';
import { expectedVersion, makeEtag, notModified } from '../etag';
import { RawJson, sendList } from '../../../http/stream-json';
import { AccountService, AccountView } from '../../../domain/accounts/service';
import { accountBody, accountJsonBatchText } from './serialize';
import { accountInput, bulkOperations } from './body';
import type { V2Relations } from '../mount';

const GET_ONE_PARAMS = new Set(['display_currency', 'expand', '_']);
export const EXPANDABLE = ['contacts', 'invoices', 'comments', 'attachments'] as const;
export type Expandable = (typeof EXPANDABLE)[number];

function checkGetOneParams(req: Request) {
  for (const k of Object.keys(req.query)) {
    if (!GET_ONE_PARAMS.has(k)) throw new QueryError(k, `is not a parameter of this route; allowed: display_currency, expand`);
  }
}

/** `?expand=contacts,invoices` → the relations to embed; anything else is a 400. */
function expandParam(raw: unknown): Expandable[] {
  if (raw === undefined) return [];
  if (typeof raw !== 'string') throw new QueryError('expand', 'may be given only once');
  const items = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  for (const item of items) {
    if (!(EXPANDABLE as readonly string[]).includes(item)) throw new QueryError('expand', `cannot expand ${JSON.stringify(item.slice(0, 50))}; expandable: ${EXPANDABLE.join(', ')}`);
  }
  return items as Expandable[];
}

/** A record's v2 response: its body, and an ETag over its version and what it derives from elsewhere (its balance). */
interface AccountResponse {
  body: Record<string, unknown>;
  etag: string;
}

function respond(view: AccountView): AccountResponse {
  return { body: accountBody(view), etag: makeEtag(view.row.version, view.balance) };
}

function send(res: Response, r: AccountResponse, status = 200) {
  res.setHeader('ETag', r.etag);
  res.status(status).json(r.body);
}

/** A GET answered 304 when the client's If-None-Match still names the current ETag. */
function sendRead(req: Request, res: Response, r: AccountResponse) {
  if (notModified(req.get('If-None-Match'), r.etag)) {
    res.setHeader('ETag', r.etag);
    res.status(304).end();
    return;
  }
  send(res, r);
}

function externalIdParam(raw: string): string {
  if (raw.length === 0 || raw.length > 255) throw new ValidationError([{ field: 'external_id', message: 'must have 1 to 255 characters' }]);
  return raw;
}

export function accountRoutes(
  service: AccountService,
  opts: { bulkMax: number } & V2Relations,
): Router {
  const r = Router();
  /** The request's body as the core's typed input (form bodies typed here). */
  const input = (req: Request, schema: 'AccountCreate' | 'AccountUpdate') =>
    accountInput(schema, req.body, req.bodyFormat, () => service.customFieldDefinitions(req.user!));
  const ifMatch = (req: Request) => ({ expected: expectedVersion(req.get('If-Match')) });

  r.get('/', async (req, res) => {
    const list = await service.listJson(req.user!, req.query as Record<string, unknown>);
    // The core yields batches of items as JSON text from the database; the related sets and company are put in here.
    const batches = (async function* () {
      for await (const items of list.batches) yield items.flatMap((b) => accountJsonBatchText(b).map((json) => new RawJson(json)));
    })();
    await sendList(res, { pagination: list.pagination, batches });
  });

  r.post('/', requireJsonOrForm, async (req, res) => {
    send(res, respond(await service.create(req.user!, await input(req, 'AccountCreate'))));
  });

  r.post('/_bulk', requireJsonOrForm, async (req, res) => {
    res.json(await service.bulk(req.user!, await bulkOperations(req.body, req.bodyFormat, () => service.customFieldDefinitions(req.user!)), opts.bulkMax));
  });

  r.get('/external_id/:external_id', async (req, res) => {
    checkGetOneParams(req);
    sendRead(req, res, respond(await service.getByExternalId(req.user!, externalIdParam(String(req.params.external_id)))));
  });

  r.put('/external_id/:external_id', requireJsonOrForm, async (req, res) => {
    const externalId = externalIdParam(String(req.params.external_id));
    const result = await service.upsertByExternalId(req.user!, externalId, await input(req, 'AccountUpdate'), ifMatch(req));
    send(res, respond(result), result.created ? 201 : 200);
  });

  r.get('/:id', async (req, res) => {
    checkGetOneParams(req);
    const displayCurrency = typeof req.query.display_currency === 'string' ? req.query.display_currency : undefined;
    const expand = expandParam(req.query.expand);
    const id = idParam(String(req.params.id));
    const view = await service.get(req.user!, id, { displayCurrency });
    const r = respond(view);
    if (expand.length) {
      // One query per relation, whatever the number of related records.
      const loaders: Record<Expandable, () => Promise<unknown[]>> = {
        contacts: async () => (await opts.contacts.ofAccounts(req.user!, [id])).get(id) ?? [],
        invoices: async () => (await opts.invoices.ofAccounts(req.user!, [id])).get(id) ?? [],
        comments: () => opts.comments.list(req.user!, id),
        attachments: () => opts.attachments.list(req.user!, id),
      };
      const lists = await Promise.all(expand.map((name) => loaders[name]()));
      const embedded = Object.fromEntries(expand.map((name, i) => [name, lists[i]]));
      Object.assign(r.body, embedded);
      // The ETag of a response that embeds more than the record covers what it embeds.
      r.etag = makeEtag(view.row.version, { etag: r.etag, extra: embedded });
    }
    sendRead(req, res, r);
  });

  // Related records as lists of their own, with the query language (an account you cannot see is a 404).
  r.get('/:id/contacts', async (req, res) => {
    const id = idParam(String(req.params.id));
    await service.ensureVisible(req.user!, id);
    await sendList(res, await opts.contacts.list(req.user!, req.query as Record<string, unknown>, id));
  });
  r.get('/:id/invoices', async (req, res) => {
    const id = idParam(String(req.params.id));
    await service.ensureVisible(req.user!, id);
    await sendList(res, await opts.invoices.list(req.user!, req.query as Record<string, unknown>, id));
  });

  r.get('/:id/history', async (req, res) => {
    res.json(await service.history(req.user!, idParam(String(req.params.id))));
  });

  // Administrate: "we use POST for both creation and updating".
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => {
      send(res, respond(await service.update(req.user!, idParam(String(req.params.id)), await input(req, 'AccountUpdate'), ifMatch(req))));
    });
  }

  r.delete('/:id', async (req, res) => {
    send(res, respond(await service.remove(req.user!, idParam(String(req.params.id)), ifMatch(req))));
  });

  return r;
}
