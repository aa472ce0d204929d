// Contacts moved to src/domain/contacts (rules, SQL, catalogue) and src/dialects/v2/contacts.ts (routes, wire).
// Accounts' routes (part A) still name this type for `?expand=contacts` until the merge.
export type { ContactsV2 as ContactService } from '../../dialects/v2/contacts';
