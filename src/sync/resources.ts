/** The resources whose changes are recorded (migrations/014_change_feed.ts), by their v2 path. */
export const SYNCED_RESOURCES = ['crm/accounts', 'crm/contacts', 'finance/sales_invoices', 'crm/comments', 'crm/attachments'] as const;
export type SyncedResource = (typeof SYNCED_RESOURCES)[number];

export const ACTIONS = ['create', 'update', 'delete', 'restore'] as const;
export type ChangeAction = (typeof ACTIONS)[number];

export function isSyncedResource(s: string): s is SyncedResource {
  return (SYNCED_RESOURCES as readonly string[]).includes(s);
}

/** `crm/accounts` + `update` → `crm/accounts.updated`. */
export function eventName(resource: string, action: string): string {
  return `${resource}.${action}d`;
}

/** Every event a webhook may name: `<resource>.<action>d`, `<resource>.*`, or `*` for all. */
export const EVENT_PATTERNS: ReadonlySet<string> = new Set([
  '*',
  ...SYNCED_RESOURCES.flatMap((r) => [`${r}.*`, ...ACTIONS.map((a) => eventName(r, a))]),
]);
