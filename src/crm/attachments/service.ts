// Attachments moved to src/domain/attachments (rules, SQL, file store) and src/dialects/v2/attachments.ts
// (routes, multipart upload, wire). Accounts' routes (part A) still name this type until the merge.
export type { AttachmentsV2 as AttachmentService } from '../../dialects/v2/attachments';
