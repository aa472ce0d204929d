import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, Schema>;
}

/**
 * One OpenAPI document as a response checker (spec/support/conformance.ts holds one per dialect):
 * which route, method and status a response answers, and whether its JSON body matches the schema
 * documented there. `trailingSlash` makes a path's final slash optional (Django-CRM's routes).
 */
export class ResponseDocument {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  private readonly routes: { template: string; regex: RegExp; item: Record<string, Operation>; params: number }[];
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor(
    private readonly doc: { paths: Record<string, unknown>; components?: unknown },
    private readonly id: string,
    private readonly opts: { trailingSlash?: boolean; name?: string } = {},
  ) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: id, components: doc.components } as object);
    // Literal paths before templated ones (`/accounts/_bulk` before `/accounts/{id}`), as a router does.
    this.routes = Object.entries(doc.paths)
      .map(([template, item]) => ({
        template,
        regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        item: item as Record<string, Operation>,
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  /** A violation message for this response, or undefined when it matches the document. */
  check(method: string, rawPath: string, status: string, contentType: string, body: () => unknown): string | undefined {
    const path = this.opts.trailingSlash && !rawPath.endsWith('/') ? `${rawPath}/` : rawPath;
    const route = this.routes.find((r) => r.regex.test(path));
    const op = route?.item[method.toLowerCase()];
    // Unknown routes must answer the documented JSON 404 (or 401 before auth); nothing else.
    if (!route || !op) return ['404', '401'].includes(status) ? undefined : `${method} ${rawPath}: undocumented route answered ${status}`;
    const validate = this.validatorFor(route.template, method, status, op);
    const where = `${method} ${route.template}`;
    if (validate === undefined) return `${where}: status ${status} is not documented${this.opts.name ? ` in ${this.opts.name}` : ''}`;
    if (validate === null) return undefined;
    if (!/application\/json/.test(contentType)) return `${where} ${status}: content type "${contentType}", documented application/json`;
    let parsed: unknown;
    try {
      parsed = body();
    } catch {
      return `${where} ${status}: body is not JSON`;
    }
    return validate(parsed) ? undefined : `${where} ${status}: ${this.ajv.errorsText(validate.errors)}`;
  }

  /** The compiled schema of a response: undefined when the status is not documented, null when it has no JSON body. */
  private validatorFor(template: string, method: string, status: string, op: Operation): ValidateFunction | null | undefined {
    const key = `${method} ${template} ${status}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const response = op.responses[status] ?? op.responses[`${status[0]}XX`];
    if (!response) return undefined;
    const schema = ((this.resolve(response).content ?? {}) as Record<string, { schema?: Schema }>)['application/json']?.schema;
    // `#/components/...` refs inside a path's schema point into the registered document.
    const fn = schema ? this.ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${this.id}#/components/`))) : null;
    this.cache.set(key, fn);
    return fn;
  }

  private resolve(obj: Schema): Schema {
    const ref = obj.$ref;
    if (typeof ref !== 'string') return obj;
    let cur: unknown = this.doc;
    for (const p of ref.replace(/^#\//, '').split('/')) cur = (cur as Record<string, unknown>)[p];
    return this.resolve(cur as Schema);
  }
}
