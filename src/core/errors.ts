/**
 * The domain's own errors. The core (services, repos, query, money, access) raises only these; it knows
 * nothing of status codes or envelopes. Each wire dialect maps a `kind` to its status and renders
 * `code`, `message` and `details` in its own envelope (v2: src/dialects/v2/error-envelope.ts; the kind → status map is the kernel's, src/http/error-middleware.ts).
 */

/** One problem with one input, named by its path: a body field (`custom_fields.field_1`), a query parameter or a header. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * - invalid: the input cannot be used (400 in v2)
 * - not_found: the record does not exist or the caller may not see it (404)
 * - forbidden: the caller may see it but not do this (403)
 * - conflict: it clashes with the current state (409)
 * - precondition_failed: the caller's copy is stale (412)
 * - too_large / unsupported: the input's size or media type (413 / 415)
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'conflict' | 'precondition_failed' | 'too_large' | 'unsupported';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }
}

/** Input that breaks a rule, each problem naming its field path. */
export class ValidationError extends DomainError {
  constructor(details: FieldProblem[], message?: string) {
    super('invalid', 'validation_failed', message ?? details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
}

/** A bad filter, sort or paging parameter: the detail's field is the parameter's name. */
export class QueryError extends DomainError {
  constructor(param: string, message: string) {
    super('invalid', 'invalid_query', `${param}: ${message}`, [{ field: param, message }]);
  }
}

/** Invalid input with a code of its own (e.g. `missing_exchange_rate`). */
export class InvalidInputError extends DomainError {
  constructor(code: string, message: string, details?: FieldProblem[]) {
    super('invalid', code, message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id?: string | number) {
    super('not_found', 'not_found', id === undefined ? `${what} not found` : `${what} ${id} does not exist`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', 'forbidden', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: FieldProblem[], code = 'conflict') {
    super('conflict', code, message, details);
  }
}

/** The caller's copy is stale: an If-Match that names an old version. */
export class PreconditionFailedError extends DomainError {
  constructor(message: string, details?: FieldProblem[]) {
    super('precondition_failed', 'precondition_failed', message, details);
  }
}
