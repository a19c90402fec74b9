/** The streamed body splitter: items come out whole however the body is cut into chunks. */
import { ItemTooLargeError, MalformedBodyError, splitItems } from '../../src/backfill/split-items.ts';

async function split(body: string, chunk: number, max?: number): Promise<string[]> {
  async function* chunks() {
    const bytes = Buffer.from(body, 'utf8');
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: string[] = [];
  for await (const item of splitItems(chunks(), max)) out.push(item.text);
  return out;
}

const values = [
  { id: 'a', text: 'braces } ] , and "quotes" inside', n: [1, 2, { x: '[' }] },
  { id: 'b', emoji: 'Ünïcødé 😀', esc: 'back\\slash\\"' },
  'a string item',
  42,
];

describe('splitItems', () => {
  test.each([1, 2, 7, 1024])(
    'when NDJSON arrives in %i-byte chunks, then each line is one item',
    async (size) => {
      const body = values.map((v) => JSON.stringify(v)).join('\n') + '\n\n';
      expect((await split(body, size)).map((t) => JSON.parse(t) as unknown)).toEqual(values);
    },
  );

  test.each([1, 3, 1024])(
    'when a JSON array arrives in %i-byte chunks, then each element is one item',
    async (size) => {
      const body = `  [\n${values.map((v) => JSON.stringify(v, null, 2)).join(' ,\n')}\n]  `;
      expect((await split(body, size)).map((t) => JSON.parse(t) as unknown)).toEqual(values);
    },
  );

  test('when the array is empty or the body is blank, then there are no items', async () => {
    expect(await split('[ ]', 1)).toEqual([]);
    expect(await split('   \n', 1)).toEqual([]);
  });

  test('when the array is not closed, or text follows it, then the body is malformed', async () => {
    await expect(split('[{"a":1},', 2)).rejects.toBeInstanceOf(MalformedBodyError);
    await expect(split('[{"a":1}] x', 2)).rejects.toBeInstanceOf(MalformedBodyError);
    await expect(split('[{"a":1},,{"b":2}]', 2)).rejects.toBeInstanceOf(MalformedBodyError);
  });

  test('when one item is over the limit, then splitting stops with ItemTooLargeError', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(500) });
    await expect(split(`${big}\n`, 64, 100)).rejects.toBeInstanceOf(ItemTooLargeError);
    await expect(split(`[${big}]`, 64, 100)).rejects.toBeInstanceOf(ItemTooLargeError);
  });
});
