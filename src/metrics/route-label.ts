import { loadOpenApi } from '../openapi/document';

/**
 * The `route` label of a request: its OpenAPI path template (`/api/v2/crm/accounts/{id}`), one of
 * the server's own pages, or `other`. Labels come from a fixed list, never from the raw URL, so a
 * scanner probing random paths cannot grow the metric's cardinality.
 */
const PAGES = ['/', '/docs', '/health', '/ready', '/metrics', '/api/v2/openapi.yaml'];

let templates: { template: string; regex: RegExp; params: number }[] | undefined;

export function routeLabel(path: string): string {
  if (PAGES.includes(path)) return path;
  if (path.startsWith('/docs/')) return '/docs/assets';
  templates ??= Object.keys(loadOpenApi().doc.paths)
    .map((template) => ({
      template,
      regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      params: (template.match(/\{/g) ?? []).length,
    }))
    // Literal paths before templated ones (`/accounts/_bulk` before `/accounts/{id}`), as a router does.
    .sort((a, b) => a.params - b.params);
  return templates.find((t) => t.regex.test(path))?.template ?? 'other';
}
