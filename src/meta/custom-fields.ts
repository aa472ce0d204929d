// Custom fields moved to src/domain/custom-fields (definitions, checks) and src/dialects/v2/custom-fields.ts
// (form coercion, meta routes). Accounts (part A), the CLI and main still import this path until the merge.
export { addDefinition, CUSTOM_FIELD_MODELS, loadDefinitions, removeDefinition } from '../domain/custom-fields/service';
export type { CustomFieldModel, NewDefinition } from '../domain/custom-fields/service';
export { metaShape, validateBodyCustomFields as validateCustomFields } from '../dialects/v2/custom-fields';
