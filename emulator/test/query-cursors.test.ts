import type { ApiError } from '../src/errors.ts';
import { batchSize, QueryCursors } from '../src/rest/cursors.ts';

// Query paging as Salesforce describes it: a `nextRecordsUrl` per page, a locator that is gone once
// read to its end or left unused for 15 minutes
// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
// The clock is the one the cursors are given, so the 15 minutes pass without waiting for them.

const V = '66.0';
const MINUTE = 60 * 1000;

function cursors() {
  const clock = { now: Date.parse('2026-12-01T09:00:00Z') };
  let n = 0;
  const c = new QueryCursors({
    now: () => clock.now,
    newLocator: () => `01g${String(++n).padStart(15, '0')}`,
  });
  return { c, clock };
}

const result = (size: number) => ({
  records: Array.from({ length: size }, (_, i) => ({ Id: `r${i}` })),
  totalSize: size,
});

/** The locator-offset name at the end of a nextRecordsUrl. */
const nameOf = (page: object): string => {
  const url = (page as { nextRecordsUrl?: string }).nextRecordsUrl;
  expect(url).toMatch(new RegExp(`^/services/data/v${V}/query/01g\\d{15}-\\d+$`));
  return url!.split('/').pop()!;
};

const locatorError = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected INVALID_QUERY_LOCATOR');
};

describe('query cursors', () => {
  it('when a result fits in one batch, then it answers done without a locator', () => {
    const { c } = cursors();
    expect(c.first(V, result(200), 200)).toEqual({
      totalSize: 200,
      done: true,
      records: result(200).records,
    });
  });

  it('when a result is read to its end, then every record came once and the locator is gone', () => {
    const { c } = cursors();
    const seen: unknown[] = [];
    let page = c.first(V, result(450), 200) as { done: boolean; records: unknown[] };
    seen.push(...page.records);
    const names: string[] = [];
    while (!page.done) {
      names.push(nameOf(page));
      page = c.next(V, names.at(-1)!, 200) as typeof page;
      seen.push(...page.records);
    }
    expect(seen).toEqual(result(450).records);
    expect(names.map((n) => n.split('-')[1])).toEqual(['200', '400']);
    const e = locatorError(() => c.next(V, names[0]!, 200));
    expect(e.errorCode).toBe('INVALID_QUERY_LOCATOR');
    expect(e.status).toBe(400);
  });

  it('when a locator is used within 15 minutes, then it pages on, and each use starts the 15 minutes again', () => {
    const { c, clock } = cursors();
    const first = c.first(V, result(600), 200);
    clock.now += 14 * MINUTE;
    const second = c.next(V, nameOf(first), 200);
    clock.now += 14 * MINUTE;
    expect(c.next(V, nameOf(second), 200)).toMatchObject({ done: true, totalSize: 600 });
  });

  it('when a locator is left unused for more than 15 minutes, then it answers INVALID_QUERY_LOCATOR', () => {
    const { c, clock } = cursors();
    const first = c.first(V, result(600), 200);
    clock.now += 15 * MINUTE + 1;
    expect(locatorError(() => c.next(V, nameOf(first), 200)).errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('when a name is not a locator this org gave, then INVALID_QUERY_LOCATOR', () => {
    const { c } = cursors();
    for (const name of ['01g000000000000001-200', 'nonsense', '-5'])
      expect(locatorError(() => c.next(V, name, 200)).errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it.each([
    [undefined, 2000],
    ['batchSize=500', 500],
    ['batchSize=10', 200],
    ['batchSize=99999', 2000],
    ['somethingElse=1', 2000],
  ])('when Sforce-Query-Options is %p, then pages hold up to %p records', (header, size) => {
    expect(batchSize(header)).toBe(size);
  });
});
