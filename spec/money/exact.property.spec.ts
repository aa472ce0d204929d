import fc from 'fast-check';
import { convertOwed } from '../../src/money/balance';
import { Dec, roundTo, subtract, toWire } from '../../src/money/amount';

/**
 * A reference in scaled BigInt arithmetic (no library, no float): the decimal module must agree
 * with it to the last digit across the whole range of numeric(18,4).
 */
const SCALE = 30n;
const ONE = 10n ** SCALE;
function toScaled(text: string): bigint {
  const neg = text.startsWith('-');
  const [i, f = ''] = text.replace('-', '').split('.');
  const v = BigInt(i) * ONE + BigInt((f + '0'.repeat(Number(SCALE))).slice(0, Number(SCALE)));
  return neg ? -v : v;
}
/** Half up (away from zero) to `places` decimals; returns the value still scaled by 10^SCALE. */
function roundScaled(v: bigint, places: number): bigint {
  const unit = 10n ** (SCALE - BigInt(places));
  const abs = v < 0n ? -v : v;
  const r = ((abs + unit / 2n) / unit) * unit;
  return v < 0n ? -r : r;
}
function scaledText(v: bigint): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const i = abs / ONE;
  const f = (abs % ONE).toString().padStart(Number(SCALE), '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${i}${f ? `.${f}` : ''}`;
}
/** round6(round6(a / from) × to), summed: the documented conversion rule, in BigInt. */
function referenceConvert(amounts: { amount: string; from: string }[], to: string): string {
  let sum = 0n;
  for (const a of amounts) {
    // a / from at SCALE decimals, then half-up to 6: exact enough since SCALE ≫ 6 + digits of error.
    const q = (toScaled(a.amount) * ONE) / toScaled(a.from);
    const inBase = roundScaled(q, 6);
    sum += roundScaled((inBase * toScaled(to)) / ONE, 6);
  }
  return scaledText(sum);
}

/** numeric(18,4): up to 14 integer digits and 4 decimals, the extremes weighted in. */
const numeric184 = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.oneof(fc.constant('99999999999999'), fc.constant('0'), fc.bigInt({ min: 0n, max: 99999999999999n }).map(String)),
    fc.oneof(fc.constant('9999'), fc.constant('0001'), fc.constant('5'), fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0'))),
  )
  .map(([s, i, f]) => `${s}${i}.${f}`);
/** Rates: positive decimals with up to 10 places and 10 integer digits (what the API accepts). */
const rate = fc
  .tuple(fc.integer({ min: 0, max: 9999999999 }), fc.integer({ min: 0, max: 9999999999 }))
  .filter(([i, f]) => i > 0 || f > 0)
  .map(([i, f]) => `${i}.${String(f).padStart(10, '0')}`);

describe('exact money', () => {
  it('when an amount at the extremes of numeric(18,4) is rounded to minor units, then it matches the BigInt reference exactly', () => {
    fc.assert(
      fc.property(numeric184, fc.constantFrom(0, 2, 3, 4), (amount, minor) => {
        const expected = scaledText(roundScaled(toScaled(amount), minor));
        expect(roundTo(amount, minor).toFixed()).toBe(new Dec(expected).toFixed());
        // The JSON number is the double nearest the exact decimal: no error beyond the last conversion.
        expect(toWire(amount, minor)).toBe(Number(expected) + 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('when owed amounts are converted through the base currency, then every digit matches the BigInt reference', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ amount: numeric184.map((a) => a.replace('-', '')), from: rate }), { minLength: 1, maxLength: 5 }), rate, (amounts, to) => {
        expect(convertOwed(amounts, to).toFixed()).toBe(referenceConvert(amounts, to));
      }),
      { numRuns: 1000 },
    );
  });

  it('when a quotient past 40 digits ends in ...4999, then the 6-decimal step still rounds it down (a CI counterexample)', () => {
    const amounts = [
      { amount: '99999999999999.5', from: '0.0000000011' },
      { amount: '0.9999', from: '0.0000000001' },
    ];
    expect(convertOwed(amounts, '1100000000.4039873041').toFixed()).toBe(referenceConvert(amounts, '1100000000.4039873041'));
  });

  it('when an invoice total minus its payment is taken at 14 integer digits, then the difference is exact', () => {
    fc.assert(
      fc.property(numeric184, numeric184, (a, b) => {
        expect(subtract(a, b)).toBe(scaledText(toScaled(a) - toScaled(b)));
      }),
      { numRuns: 1000 },
    );
  });

  it("when the issue's float example is rounded at 6 dp, then no digit is lost (currency.js gave ...123455)", () => {
    expect(roundTo('12345678901.123457', 6).toFixed()).toBe('12345678901.123457');
  });
});
