// Comments moved to src/domain/comments (rules, SQL) and src/dialects/v2/comments.ts (routes, wire).
// Accounts' routes (part A) still name this type for `?expand=comments` until the merge.
export type { CommentsV2 as CommentService } from '../../dialects/v2/comments';
