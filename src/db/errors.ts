import { ConflictError, DomainError, InvalidInputError, ValidationError } from '../core/errors';

/** Check constraints whose failure is the client's fault, and the field they guard. */
const CHECKS: Record<string, { field: string; message: string }> = {
  sales_invoices_paid_range: { field: 'amount_paid', message: 'must be between 0 and the invoice total' },
  exchange_rates_rate_positive: { field: 'rate', message: 'must be greater than 0' },
};

/**
 * A database refusal that is the input's fault (a unique clash, a missing reference, a value out of
 * range, a lost serialization race), as the domain error it amounts to; undefined for anything else
 * (the server's trouble: unreachable, timeouts, bugs). Bulk writes and imports report these per item;
 * the edge maps them like any domain error.
 */
export function inputErrorOf(err: unknown): DomainError | undefined {
  const e = (err ?? {}) as { code?: string; constraint?: string };
  switch (e.code) {
    case '23505':
      return new ConflictError('a record with the same unique value already exists');
    case '23503':
      return new InvalidInputError('invalid_reference', 'a referenced record does not exist');
    case '23514': {
      const check = e.constraint ? CHECKS[e.constraint] : undefined;
      return check ? new ValidationError([check]) : undefined;
    }
    case '22003':
      return new InvalidInputError('out_of_range', 'a numeric value is out of range');
    case '22021':
    case '22025':
    case '22P02':
    case '22007':
    case '22008':
      return new InvalidInputError('invalid_value', 'a value in the request cannot be used for this query; check escapes and formats');
    case '40001':
    case '40P01':
      return new ConflictError('the record was changed concurrently; retry the request');
  }
  return undefined;
}

/** What the core raised, or a database refusal that is the input's fault; undefined otherwise. */
export function clientErrorOf(err: unknown): DomainError | undefined {
  return err instanceof DomainError ? err : inputErrorOf(err);
}
