/** One problem with one input: a body field, a query parameter or a header. */
export interface ErrorDetail {
  field: string;
  message: string;
}

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

export class ValidationError extends HttpError {
  constructor(details: ErrorDetail[], message?: string) {
    const summary = message ?? details.map((d) => `${d.field}: ${d.message}`).join('; ');
    super(400, 'validation_failed', summary, details);
  }
}

/** A bad query-string parameter: the detail's field is the parameter's name. */
export class QueryError extends HttpError {
  constructor(param: string, message: string) {
    super(400, 'invalid_query', `${param}: ${message}`, [{ field: param, message }]);
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string, id?: string | number) {
    super(404, 'not_found', id === undefined ? `${what} not found` : `${what} ${id} does not exist`);
  }
}

export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'unauthorized', 'valid HTTP Basic credentials (e-mail and password) are required', undefined, {
      'WWW-Authenticate': 'Basic realm="v2crm"',
    });
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}
