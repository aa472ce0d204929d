import type { FieldProblem } from '../core/errors';

/** One problem with one input: a body field, a query parameter or a header. */
export type ErrorDetail = FieldProblem;
// The domain's errors, re-exported while callers move to src/core/errors (the edge maps them by kind).
export { ValidationError, QueryError, NotFoundError, ForbiddenError } from '../core/errors';

/** Every error a client sees is one of these, rendered as
 *  `{"error": {"code", "message", "details"?}}` by the error middleware. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'unauthorized', 'valid HTTP Basic credentials (e-mail and password) are required', undefined, {
      'WWW-Authenticate': 'Basic realm="v2crm"',
    });
  }
}
