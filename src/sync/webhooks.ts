import { Knex } from 'knex';
import type { Caller } from '../core/caller';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { encodeCursor } from './cursor';
import { eventName, EVENT_PATTERNS } from './resources';
import { newSecret } from './signing';
import { resolveTarget, TargetRefused, urlProblem } from './ssrf';

export interface Webhook {
  id: number;
  url: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created: string;
  updated: string;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  resource: string;
  record_id: number;
  cursor: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  response_code: number | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created: string;
}

interface Row {
  id: number;
  org_id: number;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  created: Date;
  updated: Date;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function toWebhook(r: Row): Webhook {
  return { id: r.id, url: r.url, events: r.events, enabled: r.enabled, disabled_reason: r.disabled_reason, created: iso(r.created)!, updated: iso(r.updated)! };
}

/** Admins' webhooks of their organisation: where changes are pushed to (docs/sync.md). */
export class WebhookService {
  constructor(private readonly knex: Knex, private readonly allowPrivateTargets: boolean) {}

  async list(caller: Caller): Promise<Webhook[]> {
    this.adminOnly(caller);
    const rows: Row[] = await this.knex('webhooks').where({ org_id: caller.orgId }).orderBy('id');
    return rows.map(toWebhook);
  }

  async get(caller: Caller, id: number): Promise<Webhook> {
    this.adminOnly(caller);
    return toWebhook(await this.find(caller, id));
  }

  /** The new webhook and its secret, the only time the secret is shown. */
  async create(caller: Caller, body: unknown): Promise<Webhook & { secret: string }> {
    this.adminOnly(caller);
    const input = await this.validate(body, true);
    const secret = input.secret ?? newSecret();
    const [row]: Row[] = await this.knex('webhooks')
      .insert({ org_id: caller.orgId, url: input.url, events: this.textArray(input.events!), secret, enabled: input.enabled ?? true, created_by: caller.id })
      .returning('*');
    return { ...toWebhook(row), secret };
  }

  /** Changes what is given; enabling a disabled webhook clears its reason. */
  async update(caller: Caller, id: number, body: unknown): Promise<Webhook> {
    this.adminOnly(caller);
    const input = await this.validate(body, false);
    await this.find(caller, id);
    const values: Record<string, unknown> = { updated: this.knex.raw('clock_timestamp()') };
    if (input.url !== undefined) values.url = input.url;
    if (input.events !== undefined) values.events = this.textArray(input.events);
    if (input.secret !== undefined) values.secret = input.secret;
    if (input.enabled !== undefined) {
      values.enabled = input.enabled;
      if (input.enabled) values.disabled_reason = null;
    }
    const [row]: Row[] = await this.knex('webhooks').where({ org_id: caller.orgId, id }).update(values).returning('*');
    return toWebhook(row);
  }

  async remove(caller: Caller, id: number): Promise<void> {
    this.adminOnly(caller);
    await this.find(caller, id);
    await this.knex('webhook_deliveries').where({ org_id: caller.orgId, webhook_id: id }).delete();
    await this.knex('webhooks').where({ org_id: caller.orgId, id }).delete();
  }

  /** Newest first. */
  async deliveries(caller: Caller, id: number, limit: number): Promise<WebhookDelivery[]> {
    this.adminOnly(caller);
    await this.find(caller, id);
    const rows: {
      id: string | number; xid: string; change_seq: string | number; resource: string; record_id: number; action: string; status: WebhookDelivery['status'];
      attempts: number; last_error: string | null; response_code: number | null; next_attempt_at: Date; delivered_at: Date | null; created: Date;
    }[] = await this.knex('webhook_deliveries')
      .where({ org_id: caller.orgId, webhook_id: id })
      .orderBy('id', 'desc')
      .limit(limit)
      .select('id', this.knex.raw('change_xid::text AS xid'), 'change_seq', 'resource', 'record_id', 'action', 'status', 'attempts', 'last_error', 'response_code', 'next_attempt_at', 'delivered_at', 'created');
    return rows.map((r) => ({
      id: String(r.id),
      event: eventName(r.resource, r.action),
      resource: r.resource,
      record_id: r.record_id,
      cursor: encodeCursor({ xid: r.xid, seq: String(r.change_seq) }),
      status: r.status,
      attempts: r.attempts,
      last_error: r.last_error,
      response_code: r.response_code,
      next_attempt_at: r.status === 'pending' ? iso(r.next_attempt_at) : null,
      delivered_at: iso(r.delivered_at),
      created: iso(r.created)!,
    }));
  }

  /** text[] from a list, the same way on pg and PGlite. */
  private textArray(list: string[]): Knex.Raw {
    return this.knex.raw('ARRAY(SELECT jsonb_array_elements_text(?::jsonb))', [JSON.stringify(list)]);
  }

  private adminOnly(caller: Caller) {
    if (caller.role !== 'admin') throw new ForbiddenError('only admins manage webhooks');
  }

  private async find(caller: Caller, id: number): Promise<Row> {
    const row: Row | undefined = await this.knex('webhooks').where({ org_id: caller.orgId, id }).first();
    if (!row) throw new NotFoundError('webhook', id);
    return row;
  }

  private async validate(body: unknown, creating: boolean): Promise<{ url?: string; events?: string[]; secret?: string; enabled?: boolean }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', message: 'must be a JSON object' }]);
    const b = body as Record<string, unknown>;
    const problems: { field: string; message: string }[] = [];
    for (const k of Object.keys(b)) if (!['url', 'events', 'secret', 'enabled'].includes(k)) problems.push({ field: k, message: 'is not a webhook field' });
    const out: { url?: string; events?: string[]; secret?: string; enabled?: boolean } = {};
    if (b.url === undefined) {
      if (creating) problems.push({ field: 'url', message: 'is required' });
    } else if (typeof b.url !== 'string') problems.push({ field: 'url', message: 'must be a string' });
    else {
      const why = urlProblem(b.url);
      if (why) problems.push({ field: 'url', message: why });
      else out.url = b.url;
    }
    if (b.events === undefined) {
      if (creating) problems.push({ field: 'events', message: 'is required' });
    } else if (!Array.isArray(b.events) || b.events.length === 0 || b.events.length > 50) {
      problems.push({ field: 'events', message: 'must be a list of 1 to 50 event names' });
    } else {
      b.events.forEach((e, i) => {
        if (typeof e !== 'string' || !EVENT_PATTERNS.has(e)) {
          problems.push({ field: `events[${i}]`, message: `must be "*", "<resource>.*" or "<resource>.<created|updated|deleted|restored>" for a resource of ${[...new Set([...EVENT_PATTERNS].map((p) => p.split('.')[0]))].filter((r) => r !== '*').join(', ')}` });
        }
      });
      out.events = [...new Set(b.events as string[])];
    }
    if (b.secret !== undefined) {
      if (typeof b.secret !== 'string' || b.secret.length < 16 || b.secret.length > 200 || /\s/.test(b.secret)) problems.push({ field: 'secret', message: 'must be 16 to 200 characters without spaces' });
      else out.secret = b.secret;
    }
    if (b.enabled !== undefined) {
      if (typeof b.enabled !== 'boolean') problems.push({ field: 'enabled', message: 'must be true or false' });
      else out.enabled = b.enabled;
    }
    if (!problems.length && out.url !== undefined) {
      try {
        await resolveTarget(new URL(out.url).hostname, this.allowPrivateTargets);
      } catch (e) {
        const message = e instanceof TargetRefused ? e.message : `${new URL(out.url).hostname} does not resolve (${(e as Error).message})`;
        problems.push({ field: 'url', message });
      }
    }
    if (problems.length) throw new ValidationError(problems);
    return out;
  }
}
