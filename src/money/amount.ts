import currency from 'currency.js';

/**
 * Money is numeric(18,4) in the database and a JSON number on the wire, rounded to the currency's
 * minor units. currency.js does the decimal arithmetic; JS floats never add money up.
 */
export function toWire(value: string | number, minorUnits: number): number {
  return currency(value, { precision: minorUnits }).value;
}

const DECIMAL = /^-?\d{1,14}(\.\d+)?$/;

/** A request amount (JSON number or decimal string) → exact decimal string, or an error message. */
export function parseAmount(input: unknown, minorUnits: number): { value: string } | { error: string } {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : undefined;
  if (text === undefined || !DECIMAL.test(text)) return { error: 'must be a decimal amount like 12.50' };
  const decimals = text.includes('.') ? text.split('.')[1].length : 0;
  if (decimals > minorUnits) return { error: `has ${decimals} decimal places; this currency has ${minorUnits}` };
  return { value: text };
}
