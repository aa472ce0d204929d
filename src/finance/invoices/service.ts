// Invoices moved to src/domain/invoices (rules, SQL, catalogue) and src/dialects/v2/invoices.ts (routes, wire).
// Accounts' routes (part A) still name this type for `?expand=invoices` until the merge.
export type { InvoicesV2 as InvoiceService } from '../../dialects/v2/invoices';
