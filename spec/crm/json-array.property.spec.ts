import fc from 'fast-check';
import { jsonArrayElements, JsonArrayError } from '../../src/domain/accounts/json-array';

async function collect(text: string, cuts: number[]): Promise<unknown[]> {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let at = 0;
  for (const p of [...points, text.length]) {
    chunks.push(text.slice(at, p));
    at = p;
  }
  const out: unknown[] = [];
  for await (const v of jsonArrayElements((async function* () {
    yield* chunks;
  })())) out.push(v);
  return out;
}

describe('the streamed reader of a top-level JSON array', () => {
  it('when any JSON array is cut into chunks anywhere, then its elements come out exactly as JSON.parse reads them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.constantFrom(undefined, 1, '\t'), fc.array(fc.nat(), { maxLength: 6 }), async (values, indent, cuts) => {
        const text = JSON.stringify(values, null, indent);
        expect(await collect(text, cuts)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('when the text is not one array, then a JsonArrayError says what is wrong', async () => {
    const bad: [string, RegExp][] = [
      ['{"name": "x"}', /must be an array/],
      ['', /empty/],
      ['[{"a": 1}', /ends before the array is closed/],
      ['[{"a": 1},]', /unexpected "]"/],
      ['[{"a": 1} {"b": 2}]', /comma is missing after record 1/],
      ['[{"a": tru}]', /record 1 is not valid JSON/],
      ['[1] 2', /more after the closing ]/],
    ];
    for (const [text, message] of bad) await expect(collect(text, [])).rejects.toThrow(message);
    await expect(collect('{}', [])).rejects.toBeInstanceOf(JsonArrayError);
  });
});
