// Moved to src/access (issue 14); accounts (part A) still import this path until the merge.
export { checkAccountVisible as requireVisibleAccount, visibleThroughAccount } from '../../access/account-scope';
