import type { Caller } from '../core/caller';

/**
 * A record "as GET returns it", for webhook bodies. The worker is given one (src/compose/records.ts
 * builds the v2 dialect's, since /api/v2/webhooks speaks v2): the sync code itself knows no wire
 * format. Undefined when the record no longer exists (comments and attachments are deleted for good).
 */
export interface RecordSource {
  read(caller: Caller, resource: string, id: number): Promise<Record<string, unknown> | undefined>;
}
