import type { FieldProblem } from '../../core/errors';
import type { ExpectedVersion } from '../../core/versions';
import type { CompanyWire } from '../../orgs/companies';
import type { AccountBalance } from '../../money/balance';
import type { AccountRow, Related } from './repo';
import type { ItemJsonRow } from './record-sql';

/**
 * A write's input: typed values by wire name (`name`, `company_id`, `tags`, `custom_fields`), as JSON
 * would carry them. A dialect turns its own encoding (v2 form bodies, CSV cells) into this.
 */
export type AccountInput = Record<string, unknown>;

export interface WriteOptions {
  /** The write happens only on one of these versions (v2: the If-Match header). */
  expected?: ExpectedVersion;
}

/** An account as read, with what its wire form is made of; `row.version` is its version. */
export interface AccountView {
  row: AccountRow;
  companies: Map<number, CompanyWire>;
  related: Related;
  /** Read for a single record only: lists carry no balances (as the seed shows). */
  balance?: AccountBalance;
}

/** One batch of a list: rows and what their wire form needs, for a dialect's serializer. */
export interface AccountBatch {
  rows: AccountRow[];
  companies: Map<number, CompanyWire>;
  related: Related;
}

/** One batch of a list whose items PostgreSQL wrote as JSON text (record-sql.ts). */
export interface AccountJsonBatch {
  rows: ItemJsonRow[];
  companies: Map<number, CompanyWire>;
  related: Related;
}

export interface BulkOperation {
  action: 'create' | 'update' | 'upsert';
  id?: number;
  external_id?: string;
  expected?: ExpectedVersion;
  data: AccountInput;
}

export interface BulkResult {
  index: number;
  result: 'created' | 'updated';
  id: number;
  external_id: unknown;
  version: number;
}

export interface ImportItem {
  /** Line (CSV) or record number (JSON) in the source file, for the report. */
  line: number;
  /** The record as read from the file; typed by the import's RecordReader before any write. */
  data: Record<string, unknown>;
  /** Set when the record could not even be read (e.g. a CSV row with the wrong number of fields). */
  errors?: FieldProblem[];
}

export interface ImportOutcome {
  line: number;
  result: 'created' | 'updated' | 'unchanged' | 'failed';
  id?: number;
  errors?: FieldProblem[];
}

/**
 * How an import's records become typed input: the caller (the CLI) passes the v2 dialect's reader
 * for the file's format, since a dump or CSV of accounts is Administrate v2's shape (CSV cells are text).
 */
export interface RecordReader {
  /** The record's own fields, typed and checked as a request body would be (throws ValidationError). */
  read(data: Record<string, unknown>): AccountInput;
  /** `custom_fields` values typed by their definitions (text → boolean, number, null); checked later. */
  customFields(raw: Record<string, unknown>, defs: ReadonlyMap<string, { type: string }>): Record<string, unknown>;
}
