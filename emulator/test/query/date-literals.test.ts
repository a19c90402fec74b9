import { executeSoql } from '../../src/query/index.ts';
import type { StoredRecord } from '../../src/schema/types.ts';
import { IdFactory } from '../../src/ids.ts';
import { FixtureDataSource, SCHEMAS } from './fixture.ts';

/** Tuesday 24 November 2026, 12:00 UTC; weeks start on Sunday (en_US), so this week is 22–28 November. */
const NOW = new Date('2026-11-24T12:00:00.000Z');

const DATES = [
  '2025-12-31',
  '2026-01-01',
  '2026-08-15',
  '2026-09-30',
  '2026-10-01',
  '2026-11-01',
  '2026-11-14',
  '2026-11-15',
  '2026-11-21',
  '2026-11-22',
  '2026-11-23',
  '2026-11-24',
  '2026-11-25',
  '2026-11-28',
  '2026-11-29',
  '2026-12-01',
  '2026-12-31',
  '2027-01-01',
  '2027-01-31',
  '2027-02-01',
  '2027-02-22',
  '2027-02-23',
  '2027-04-01',
];

const factory = new IdFactory();
const ds = new FixtureDataSource(SCHEMAS, factory.next('005'));
for (const d of DATES) {
  ds.add('Opportunity', { Id: factory.next('006'), IsDeleted: false, Name: d, CloseDate: d } as StoredRecord);
  // The same instants as datetimes, at 23:30 UTC, to check the ranges' ends.
  ds.add('Event', {
    Id: factory.next('00U'),
    IsDeleted: false,
    Subject: d,
    StartDateTime: `${d}T23:30:00.000+0000`,
  } as StoredRecord);
}

const closing = (where: string): unknown[] =>
  executeSoql(`SELECT Name FROM Opportunity WHERE ${where} ORDER BY CloseDate`, ds, {
    includeDeleted: false,
    apiVersion: '66.0',
    now: NOW,
  }).records.map((r) => r['Name']);
const starting = (where: string): unknown[] =>
  executeSoql(`SELECT Subject FROM Event WHERE ${where} ORDER BY StartDateTime`, ds, {
    includeDeleted: false,
    apiVersion: '66.0',
    now: NOW,
  }).records.map((r) => r['Subject']);

describe('SOQL date literals (relative to Tuesday 24 November 2026, UTC)', () => {
  it.each<[string, string[]]>([
    ['TODAY', ['2026-11-24']],
    ['YESTERDAY', ['2026-11-23']],
    ['TOMORROW', ['2026-11-25']],
    ['THIS_WEEK', ['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-28']],
    ['LAST_WEEK', ['2026-11-15', '2026-11-21']],
    ['NEXT_WEEK', ['2026-11-29', '2026-12-01']],
    [
      'THIS_MONTH',
      [
        '2026-11-01',
        '2026-11-14',
        '2026-11-15',
        '2026-11-21',
        '2026-11-22',
        '2026-11-23',
        '2026-11-24',
        '2026-11-25',
        '2026-11-28',
        '2026-11-29',
      ],
    ],
    ['NEXT_MONTH', ['2026-12-01', '2026-12-31']],
    ['THIS_QUARTER', DATES.filter((d) => d >= '2026-10-01' && d <= '2026-12-31')],
    ['LAST_QUARTER', ['2026-08-15', '2026-09-30']],
    ['NEXT_QUARTER', ['2027-01-01', '2027-01-31', '2027-02-01', '2027-02-22', '2027-02-23']],
    ['THIS_YEAR', DATES.filter((d) => d.startsWith('2026'))],
    ['LAST_YEAR', ['2025-12-31']],
    ['THIS_FISCAL_YEAR', DATES.filter((d) => d.startsWith('2026'))],
    ['LAST_N_DAYS:1', ['2026-11-23', '2026-11-24']],
    ['NEXT_N_DAYS:1', ['2026-11-25']],
    ['N_DAYS_AGO:10', ['2026-11-14']],
    ['LAST_N_WEEKS:1', ['2026-11-15', '2026-11-21']],
    ['NEXT_N_WEEKS:1', ['2026-11-29', '2026-12-01']],
    ['LAST_N_MONTHS:3', ['2026-08-15', '2026-09-30', '2026-10-01']],
    ['NEXT_N_MONTHS:2', ['2026-12-01', '2026-12-31', '2027-01-01', '2027-01-31']],
    ['NEXT_90_DAYS', DATES.filter((d) => d >= '2026-11-25' && d <= '2027-02-22')],
    ['LAST_90_DAYS', DATES.filter((d) => d >= '2026-08-26' && d <= '2026-11-24')],
  ])('when CloseDate = %s, then exactly the dates in that range match', (literal, expected) => {
    expect(closing(`CloseDate = ${literal}`)).toEqual(expected);
    // A datetime late in the day falls in the same UTC day's range.
    expect(starting(`StartDateTime = ${literal}`)).toEqual(expected);
  });

  it('when < and > meet a range, then < means before its start and > after its end', () => {
    expect(closing('CloseDate < THIS_WEEK').at(-1)).toBe('2026-11-21');
    expect(closing('CloseDate > THIS_WEEK')[0]).toBe('2026-11-29');
    expect(closing('CloseDate <= THIS_WEEK').at(-1)).toBe('2026-11-28');
    expect(closing('CloseDate >= THIS_WEEK')[0]).toBe('2026-11-22');
  });
});
