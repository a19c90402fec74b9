import { MAX_IN_VALUES, MAX_QUERY_URL, chunkIn } from '../../src/salesforce/batch-lookups.ts';
import { queryUrl } from '../../src/salesforce/composite.ts';
import { soql } from '../../src/salesforce/soql.ts';
import { mulberry32 } from '../../../scripts/test-support/seeded-random.ts';

const build = (chunk: readonly string[]) => soql`SELECT Id FROM Contact WHERE Email IN ${chunk}`;

/** The values a built query's IN list holds, read back from its text (no value here holds `', '`). */
const valuesOf = (query: string): string[] =>
  query
    .slice(query.indexOf('(') + 1, query.lastIndexOf(')'))
    .split(', ')
    .map((v) => v.slice(1, -1).replace(/\\(.)/g, '$1'));

describe('chunkIn: IN lists cut below the URL cap', () => {
  it('when many long values with escapes are asked, then every value is asked once, in order, each query within the caps', () => {
    const random = mulberry32(11);
    const values = Array.from({ length: 3_000 }, (_, i) => {
      const pad = 'x'.repeat(Math.floor(random() * 120));
      return `buyer${i}.${pad}@exa"mple\\${i % 7 === 0 ? "o'brien" : 'co'}.com`;
    });
    const queries = chunkIn(values, build, true);
    expect(queries.length).toBeGreaterThan(1);
    for (const q of queries) {
      expect(queryUrl(q, true).length).toBeLessThanOrEqual(MAX_QUERY_URL);
      expect(valuesOf(q).length).toBeLessThanOrEqual(MAX_IN_VALUES);
    }
    expect(queries.flatMap(valuesOf)).toEqual(values);
    // Full chunks: cutting earlier than needed would spend calls (a chunk plus the next value is over a cap).
    queries.slice(0, -1).forEach((q, i) => {
      const next = valuesOf(queries[i + 1]!)[0]!;
      const tried = build([...valuesOf(q), next]);
      const over = queryUrl(tried, true).length > MAX_QUERY_URL || valuesOf(q).length + 1 > MAX_IN_VALUES;
      expect(over).toBe(true);
    });
  });

  it('when the values are short, then a list stops at the value cap', () => {
    const values = Array.from({ length: 1_201 }, (_, i) => `a${i}@x.io`);
    const queries = chunkIn(values, build);
    expect(queries.map((q) => valuesOf(q).length)).toEqual([MAX_IN_VALUES, MAX_IN_VALUES, 201]);
  });

  it('when there is no value, then no query is built', () => {
    expect(chunkIn([], build)).toEqual([]);
  });
});
