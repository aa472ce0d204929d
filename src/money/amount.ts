import Decimal from 'decimal.js';

/**
 * Money is numeric(18,4) in the database and a JSON number on the wire, rounded to the currency's
 * minor units. All arithmetic is decimal (decimal.js, its own constructor so no global settings
 * leak): a value only becomes a binary float at the very end, as the JSON number sent.
 *
 * 40 significant digits hold numeric(18,4) sums and differences exactly. Conversions need more:
 * see `Exact`, which they use for their intermediate steps.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
/**
 * Intermediate arithmetic of a conversion, where only the documented rule may round. An amount in the
 * base currency reaches 24 integer digits (14-digit amount / rate 1e-10) with 6 decimals, and times a
 * rate of 10 + 10 digits that is 50 significant digits: at 100, every product is exact. A quotient has
 * no end, so it is truncated (ROUND_DOWN) at 100 digits, never rounded: truncation far past the 7th
 * decimal cannot move the half-up step to 6 decimals that follows (a quotient rounded half up at 40
 * digits could turn ...4999… into ...5000 and round the wrong way: fast-check found such a case).
 */
export const Exact = Decimal.clone({ precision: 100, rounding: Decimal.ROUND_DOWN, toExpNeg: -100, toExpPos: 100 });
export type Dec = Decimal;

/** Rounds half up (away from zero, as currency.js and PostgreSQL's round() do) to `places` decimals. */
export function roundTo(value: Decimal.Value, places: number): Decimal {
  return new Dec(value).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

/** An exact decimal (string from numeric, or a Decimal) → the JSON number of its value rounded to the minor units. */
export function toWire(value: Decimal.Value, minorUnits: number): number {
  // + 0 turns the -0 of a tiny negative amount rounded away into 0.
  return roundTo(value, minorUnits).toNumber() + 0;
}

/** Exact difference a − b of two decimal texts, as text (no float on the way). */
export function subtract(a: Decimal.Value, b: Decimal.Value): string {
  return new Dec(a).minus(b).toFixed();
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
