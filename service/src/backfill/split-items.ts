/**
 * Splits a streamed request body into its items, one at a time, without holding the whole body:
 * NDJSON (one JSON value per line) or one JSON array of values, told apart by the first character
 * that is not white space. Each item is yielded as its JSON text with the line (NDJSON) or the
 * position in the array (1-based) it came from; parsing and validating it is the caller's job.
 */
export const MAX_ITEM_BYTES = 5 * 1024 * 1024;

export class ItemTooLargeError extends Error {
  override readonly name = 'ItemTooLargeError';
}
export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}

export interface RawItem {
  readonly index: number;
  readonly text: string;
}

export async function* splitItems(
  source: AsyncIterable<Buffer | string>,
  maxItemBytes = MAX_ITEM_BYTES,
): AsyncGenerator<RawItem> {
  const decoder = new TextDecoder('utf-8');
  let mode: 'unknown' | 'ndjson' | 'array' | 'closed' = 'unknown';
  let buf = '';
  let index = 0;
  // array mode: the scanner's state across chunks
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let scanned = 0;

  function* arrayItems(): Generator<RawItem> {
    for (let i = scanned; i < buf.length; i++) {
      const c = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (mode === 'closed') {
        if (!/\s/.test(c ?? '')) throw new MalformedBodyError('text after the closing ] of the array');
        continue;
      }
      if (c === '"') {
        inString = true;
        if (depth === 1 && start < 0) start = i;
      } else if (c === '{' || c === '[') {
        if (depth === 0) {
          if (c !== '[') throw new MalformedBodyError('the body is neither NDJSON nor a JSON array');
        } else if (depth === 1 && start < 0) start = i;
        depth++;
      } else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          if (start >= 0) {
            index++;
            yield { index, text: buf.slice(start, i) };
          }
          start = -1;
          mode = 'closed';
        } else if (depth < 0) throw new MalformedBodyError('unbalanced brackets');
      } else if (c === ',' && depth === 1) {
        if (start < 0) throw new MalformedBodyError(`empty item at position ${index + 1} of the array`);
        index++;
        yield { index, text: buf.slice(start, i) };
        start = -1;
      } else if (depth === 1 && start < 0 && !/\s/.test(c ?? '')) start = i;
    }
    // keep only what the next chunk may continue
    if (start >= 0) {
      buf = buf.slice(start);
      start = 0;
    } else buf = '';
    scanned = buf.length;
    if (buf.length > maxItemBytes)
      throw new ItemTooLargeError(`item ${index + 1} is over ${maxItemBytes} bytes`);
  }

  function* ndjsonLines(final: boolean): Generator<RawItem> {
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      index++;
      if (line) yield { index, text: line };
    }
    if (final && buf.trim()) {
      index++;
      yield { index, text: buf.trim() };
      buf = '';
    }
    if (buf.length > maxItemBytes)
      throw new ItemTooLargeError(`line ${index + 1} is over ${maxItemBytes} bytes`);
  }

  for await (const chunk of source) {
    buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (mode === 'unknown') {
      const first = /\S/.exec(buf);
      if (!first) {
        buf = '';
        continue;
      }
      mode = first[0] === '[' ? 'array' : 'ndjson';
    }
    if (mode === 'ndjson') yield* ndjsonLines(false);
    else yield* arrayItems();
  }
  buf += decoder.decode();
  if (mode === 'ndjson') yield* ndjsonLines(true);
  else if (mode !== 'unknown') {
    yield* arrayItems();
    if ((mode as string) !== 'closed' || inString)
      throw new MalformedBodyError('the JSON array is not closed');
  }
}
