/**
 * The elements of a top-level JSON array, one at a time, from a stream of text: memory holds one
 * element and one chunk, never the file. The scanner only finds where each element ends (brackets
 * and braces outside strings, with escapes); JSON.parse reads the element, so values are exactly
 * what JSON.parse gives. (A token-by-token streaming parser cost ~5 times more per record.)
 */
export class JsonArrayError extends Error {}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);
const [OPEN_ARR, CLOSE_ARR, OPEN_OBJ, CLOSE_OBJ, COMMA, QUOTE, BACKSLASH] = ['[', ']', '{', '}', ',', '"', '\\'].map((c) => c.charCodeAt(0));

export async function* jsonArrayElements(chunks: AsyncIterable<string>): AsyncGenerator<unknown> {
  let buf = '';
  let pos = 0;
  // Where we are: before the '[', between elements (expecting an element or the end), after a
  // comma (expecting an element), inside an element, after the ']'.
  let state: 'start' | 'between' | 'next' | 'element' | 'done' = 'start';
  let first = true;
  let start = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let index = 0;
  const finish = (end: number) => {
    const text = buf.slice(start, end);
    index++;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new JsonArrayError(`record ${index} is not valid JSON (${(e as Error).message})`);
    }
  };
  for await (const chunk of chunks) {
    // Keep only what the current element still needs.
    const keep = state === 'element' ? start : pos;
    buf = buf.slice(keep) + chunk;
    pos -= keep;
    start -= keep;
    if (first) {
      if (buf.charCodeAt(0) === 0xfeff) pos = 1;
      first = false;
    }
    const out: unknown[] = [];
    for (; pos < buf.length; pos++) {
      const c = buf.charCodeAt(pos);
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) {
              out.push(finish(pos + 1));
              state = 'between';
            }
          }
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
        else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
          if (depth === 0) {
            // The end of a scalar element (a number, true, false, null) is the array's end.
            out.push(finish(pos));
            state = 'done';
            continue;
          }
          depth--;
          if (depth === 0) {
            out.push(finish(pos + 1));
            state = 'between';
          }
        } else if (depth === 0 && (c === COMMA || WS.has(c))) {
          out.push(finish(pos));
          state = c === COMMA ? 'next' : 'between';
        }
        continue;
      }
      if (WS.has(c)) continue;
      if (state === 'start') {
        if (c !== OPEN_ARR) throw new JsonArrayError('it must be an array of accounts ([{...}, ...])');
        state = 'between';
      } else if (state === 'done') {
        throw new JsonArrayError('there is more after the closing ] of the array');
      } else if (c === CLOSE_ARR && state === 'between') {
        state = 'done';
      } else if (c === COMMA && state === 'between' && index > 0) {
        state = 'next';
      } else if (c === COMMA || c === CLOSE_ARR) {
        throw new JsonArrayError(`unexpected "${String.fromCharCode(c)}" after record ${index}`);
      } else if (state === 'between' && index > 0) {
        throw new JsonArrayError(`a comma is missing after record ${index}`);
      } else {
        state = 'element';
        start = pos;
        depth = c === OPEN_OBJ || c === OPEN_ARR ? 1 : 0;
        inString = c === QUOTE;
        escaped = false;
      }
    }
    yield* out;
  }
  if (state === 'start') throw new JsonArrayError('it is empty (an array of accounts was expected)');
  if (state !== 'done') throw new JsonArrayError(`it ends before the array is closed (after record ${index})`);
}
