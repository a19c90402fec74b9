/**
 * SOSL finds a record by a word copied from its own text, whatever the letters (found by fuzzing):
 * a letter outside the BMP split the term's word in two, and İ lower-cased to two characters in the
 * term but not in the index. Searches are case-insensitive and record text is split into tokens at
 * spaces and punctuation
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm).
 */
import { Org } from '../../src/org/org.ts';
import { executeSosl } from '../../src/query/index.ts';

const org = new Org({
  settings: { sharedActivities: true, packageInstalled: true },
  adminUsername: 'sosl@salescaling.localorg',
});
const search = (term: string): string[] =>
  executeSosl(`FIND {${term}} IN NAME FIELDS RETURNING Account(Id)`, org.store, {
    apiVersion: '66.0',
  }).searchRecords.map((r) => String(r['Id']));

describe('SOSL with letters beyond ASCII', () => {
  it('when a word holds a letter outside the BMP, then searching that word finds its record', () => {
    const id = org.create('Account', { Name: '𐀀é Linear-B' });
    expect(search('𐀀é')).toEqual([id]);
  });

  it('when a word holds İ, then searching it as written finds its record', () => {
    const id = org.create('Account', { Name: 'İstanbul Ofisi' });
    expect(search('İstanbul')).toEqual([id]);
    expect(search('OFISI')).toEqual([id]);
  });
});
