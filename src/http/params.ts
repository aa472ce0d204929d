import { ValidationError } from './errors';

/** A record id from the path: a positive int4, else a 400 naming the parameter. */
export function idParam(raw: string, name = 'id'): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2147483647) {
    throw new ValidationError([{ field: name, message: `must be a positive integer, got "${raw.slice(0, 50)}"` }]);
  }
  return Number(raw);
}
