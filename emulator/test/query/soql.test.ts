import { executeSoql, QueryError } from '../../src/query/index.ts';
import { likeMatcher } from '../../src/query/literals.ts';
import { makeFixture, NOW } from './fixture.ts';

const { ds, ids } = makeFixture();
const query = (soql: string, includeDeleted = false) =>
  executeSoql(soql, ds, { includeDeleted, apiVersion: '66.0', now: NOW });
const names = (soql: string): unknown[] => query(soql).records.map((r) => r['Name']);
const idsOf = (soql: string): unknown[] => query(soql).records.map((r) => r['Id']);

function failure(soql: string): QueryError {
  try {
    query(soql);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`expected ${soql} to fail`);
}

describe('SOQL: selecting fields', () => {
  it('when fields are selected, then each row has attributes then the fields in the order selected, in canonical case', () => {
    const result = query(`SELECT name, ID, industry FROM account WHERE Name = 'Acme'`);
    expect(result.totalSize).toBe(1);
    expect(result.records[0]).toEqual({
      attributes: { type: 'Account', url: `/services/data/v66.0/sobjects/Account/${ids['acme']}` },
      Name: 'Acme',
      Id: ids['acme'],
      Industry: 'Technology',
    });
    expect(Object.keys(result.records[0] ?? {})).toEqual(['attributes', 'Name', 'Id', 'Industry']);
  });

  it('when a field is selected twice, then INVALID_FIELD says duplicate field selected', () => {
    const e = failure('SELECT Id, Name, id FROM Account');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe('duplicate field selected: id');
  });

  it('when parent fields are selected, then they nest under the relationship with their own attributes, or null', () => {
    const rows = query(
      `SELECT LastName, Account.Name, Account.Owner.Email, Owner.Alias FROM Contact WHERE LastName IN ('Doe', 'Nobody') ORDER BY LastName`,
    ).records;
    expect(rows[0]).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v66.0/sobjects/Contact/${ids['jane']}` },
      LastName: 'Doe',
      Account: {
        attributes: { type: 'Account', url: `/services/data/v66.0/sobjects/Account/${ids['acme']}` },
        Name: 'Acme',
        Owner: {
          attributes: { type: 'User', url: `/services/data/v66.0/sobjects/User/${ids['bob']}` },
          Email: 'bob@example.com',
        },
      },
      Owner: {
        attributes: { type: 'User', url: `/services/data/v66.0/sobjects/User/${ids['bob']}` },
        Alias: 'bseller',
      },
    });
    expect(rows[1]?.['Account']).toBeNull();
  });

  it('when a polymorphic relationship is followed, then it resolves through the referenced object and is typed Name', () => {
    const rows = query(
      `SELECT Subject, Who.Name, Who.Type, What.Name FROM Event ORDER BY StartDateTime`,
    ).records;
    expect(rows.map((r) => r['Subject'])).toEqual(['Deal review', 'Discovery call', 'Intro with Lara']);
    expect(rows[0]?.['Who']).toBeNull();
    expect(rows[0]?.['What']).toEqual({
      attributes: { type: 'Name', url: `/services/data/v66.0/sobjects/Opportunity/${ids['deal']}` },
      Name: 'Globex Deal',
    });
    expect(rows[1]?.['Who']).toMatchObject({ Name: 'Jane Doe', Type: 'Contact' });
    expect(rows[2]?.['Who']).toMatchObject({ Name: 'Lara Lead', Type: 'Lead' });
  });

  it('when a polymorphic path reads a user-only Name field of a contact, then it is null; of a user, it has the value', () => {
    const rows = query(
      `SELECT Who.Email, Who.FirstName FROM Event WHERE WhoId != null ORDER BY Subject`,
    ).records;
    expect(rows[0]?.['Who']).toMatchObject({ Email: null, FirstName: 'Jane' });
    const rel = query(`SELECT Relation.Email FROM EventRelation WHERE IsInvitee = true`).records[0];
    expect(rel?.['Relation']).toMatchObject({ Email: 'ada@example.com' });
  });

  it('when a polymorphic path names a field the Name object lacks, then INVALID_FIELD names entity Name', () => {
    const e = failure('SELECT What.Industry FROM Event');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toContain("No such column 'Industry' on entity 'Name'");
  });

  it('when TYPEOF is used, then each polymorphic parent gets the fields of its own type', () => {
    const rows = query(
      `SELECT Subject, TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN Name, Amount END FROM Event WHERE WhatId != null ORDER BY Subject`,
    ).records;
    expect(rows[0]?.['What']).toEqual({
      attributes: { type: 'Opportunity', url: `/services/data/v66.0/sobjects/Opportunity/${ids['deal']}` },
      Name: 'Globex Deal',
      Amount: 5000,
    });
    expect(rows[1]?.['What']).toMatchObject({
      attributes: { type: 'Account' },
      Name: 'Acme',
      Industry: 'Technology',
    });
  });

  it('when TYPEOF has an ELSE branch, then other types get the ELSE fields', () => {
    const rows = query(
      `SELECT TYPEOF Who WHEN Contact THEN Email ELSE Name END FROM Event WHERE WhoId != null ORDER BY Subject`,
    ).records;
    expect(rows[0]?.['Who']).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v66.0/sobjects/Contact/${ids['jane']}` },
      Email: 'jane.doe@acme.example.com',
    });
    expect(rows[1]?.['Who']).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v66.0/sobjects/Lead/${ids['lara']}` },
      Name: 'Lara Lead',
    });
  });

  it('when TYPEOF names a field the WHEN type lacks or a type the field cannot point to, then the query fails', () => {
    expect(failure(`SELECT TYPEOF What WHEN Account THEN Amount END FROM Event`).errorCode).toBe(
      'INVALID_FIELD',
    );
    expect(failure(`SELECT TYPEOF What WHEN Lead THEN Name END FROM Event`).errorCode).toBe('INVALID_TYPE');
  });

  it('when a child subquery is selected, then each parent carries its children or null when it has none', () => {
    const rows = query(
      `SELECT Subject, (SELECT RelationId, IsParent FROM EventRelations WHERE IsParent = true ORDER BY RelationId) FROM Event ORDER BY Subject`,
    ).records;
    expect(rows[0]?.['EventRelations']).toBeNull();
    const discovery = rows[1]?.['EventRelations'] as { totalSize: number; done: boolean; records: unknown[] };
    expect(discovery.totalSize).toBe(2);
    expect(discovery.done).toBe(true);
    expect(Object.keys(discovery)).toEqual(['totalSize', 'done', 'records']);
    expect(discovery.records[0]).toEqual({
      attributes: {
        type: 'EventRelation',
        url: `/services/data/v66.0/sobjects/EventRelation/${ids['rel1']}`,
      },
      RelationId: ids['jane'],
      IsParent: true,
    });
    expect((rows[2]?.['EventRelations'] as { totalSize: number }).totalSize).toBe(1);
  });

  it('when child subqueries nest (API 58.0 and later), then each level carries its own children', () => {
    const rows = query(
      `SELECT Name, (SELECT LastName, (SELECT Subject, (SELECT RelationId FROM EventRelations ORDER BY RelationId) FROM Events) FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Acme'`,
    ).records;
    const contacts = rows[0]?.['Contacts'] as { records: Record<string, unknown>[] };
    expect(contacts.records.map((c) => c['LastName'])).toEqual(['Doe', 'Smith']);
    const events = contacts.records[0]?.['Events'] as {
      totalSize: number;
      records: Record<string, unknown>[];
    };
    expect(events.totalSize).toBe(1);
    expect((events.records[0]?.['EventRelations'] as { totalSize: number }).totalSize).toBe(2);
    expect(contacts.records[1]?.['Events']).toBeNull();
  });

  it('when child subqueries nest under API 57.0, then the query fails as it did then', () => {
    expect(() =>
      executeSoql(
        `SELECT Name, (SELECT LastName, (SELECT Subject FROM Events) FROM Contacts) FROM Account`,
        ds,
        {
          includeDeleted: false,
          apiVersion: '57.0',
        },
      ),
    ).toThrow(QueryError);
  });

  it('when a child subquery names an unknown relationship, then INVALID_TYPE says it did not understand it', () => {
    const e = failure('SELECT Id, (SELECT Id FROM Foos) FROM Account');
    expect(e.errorCode).toBe('INVALID_TYPE');
    expect(e.message).toContain("Didn't understand relationship 'Foos' in FROM part of query call.");
  });

  it('when FIELDS(STANDARD) is selected, then standard fields come without custom ones', () => {
    const row = query(`SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Acme'`).records[0] ?? {};
    expect(row['Name']).toBe('Acme');
    expect('Regions__c' in row).toBe(false);
  });

  it('when FIELDS(ALL) has no LIMIT or one above 200, then MALFORMED_QUERY; with LIMIT 200 it works', () => {
    expect(failure('SELECT FIELDS(ALL) FROM Account').errorCode).toBe('MALFORMED_QUERY');
    expect(failure('SELECT FIELDS(CUSTOM) FROM Account LIMIT 201').message).toContain(
      'The SOQL FIELDS function must have a LIMIT of at most 200',
    );
    const row = query('SELECT FIELDS(CUSTOM) FROM Account ORDER BY Name LIMIT 200').records[0] ?? {};
    expect(Object.keys(row)).toEqual(['attributes', 'Regions__c', 'Salescaling_Score__c']);
  });

  it('when FIELDS() is used before API 51.0, then MALFORMED_QUERY', () => {
    expect(() =>
      executeSoql('SELECT FIELDS(STANDARD) FROM Account', ds, { includeDeleted: false, apiVersion: '50.0' }),
    ).toThrow(expect.objectContaining({ errorCode: 'MALFORMED_QUERY' }));
  });

  it('when Id is selected beside FIELDS(ALL), then it is a duplicate field', () => {
    expect(failure('SELECT Id, FIELDS(ALL) FROM Account LIMIT 200').message).toBe(
      'duplicate field selected: Id',
    );
  });
});

describe('SOQL: unknown objects and fields', () => {
  it("when a field does not exist, then INVALID_FIELD points at it in Salesforce's format", () => {
    const e = failure('SELECT Foo FROM Account');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.statusCode).toBe(400);
    expect(e.message).toBe(
      "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });

  it('when the object does not exist, then INVALID_TYPE says the sObject type is not supported', () => {
    const e = failure('SELECT Id FROM Widget__c');
    expect(e.errorCode).toBe('INVALID_TYPE');
    expect(e.message).toContain("sObject type 'Widget__c' is not supported.");
    expect(e.message).toContain('ERROR at Row:1:Column:16');
  });

  it('when a relationship does not exist, then INVALID_FIELD says it did not understand the relationship', () => {
    const e = failure('SELECT Acount.Name FROM Contact');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toContain("Didn't understand relationship 'Acount' in field path.");
    expect(e.message).toContain('ERROR at Row:1:Column:8');
    expect(failure('SELECT Id, Account.Nmae FROM Contact').message).toMatch(
      /^\nSELECT Id, Account.Nmae FROM Contact\n {11}\^\nERROR at Row:1:Column:12\nNo such column 'Nmae' on entity 'Account'/,
    );
  });

  it('when the text is not SOQL, then MALFORMED_QUERY', () => {
    expect(failure('SELECT FROM Account').errorCode).toBe('MALFORMED_QUERY');
    expect(failure('SELECT Id FROM Account WHERE').errorCode).toBe('MALFORMED_QUERY');
    expect(failure('SELECT Id FROM Account LIMIT 5 GARBAGE').message).toContain(
      "unexpected token: 'GARBAGE'",
    );
  });

  it('when a plain field gets an alias (a missing comma), then MALFORMED_QUERY: only aggregates take aliases', () => {
    const e = failure('SELECT Id Name FROM Account');
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toContain('only aggregate expressions use field aliasing');
  });

  it('when AND and OR are mixed without parentheses, then MALFORMED_QUERY, as SOQL gives them no precedence', () => {
    const e = failure("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'");
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toContain("unexpected token: 'OR'");
  });

  it('when a bind variable is sent over the API, then MALFORMED_QUERY', () => {
    expect(failure('SELECT Id FROM Account WHERE OwnerId = :me').errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('SOQL: WHERE', () => {
  it('when strings are compared with = and !=, then case does not matter and != keeps nulls', () => {
    expect(names(`SELECT Name FROM Account WHERE Name = 'ACME'`)).toEqual(['Acme']);
    expect(names(`SELECT Name FROM Account WHERE Industry != 'technology' ORDER BY Name`)).toEqual([
      'Globex',
      "O'Brien & Sons",
    ]);
  });

  it("when a string literal escapes a quote, then it matches that value: 'o\\'brien@example.com'", () => {
    expect(query(`SELECT LastName FROM Contact WHERE Email = 'o\\'brien@example.com'`).records).toEqual([
      expect.objectContaining({ LastName: "O'Brien" }),
    ]);
  });

  it('when an injection attempt is escaped, then it is one literal that matches nothing', () => {
    expect(query(`SELECT Id FROM Contact WHERE Email = 'x\\' OR Name != \\''`).totalSize).toBe(0);
  });

  it('when a literal holds a backslash escape, then it stands for one backslash; an unknown escape fails', () => {
    expect(query(`SELECT Id FROM Contact WHERE Title = 'back\\\\slash'`).totalSize).toBe(1);
    const e = failure(`SELECT Id FROM Contact WHERE Title = 'a\\qb'`);
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toContain("Illegal character sequence '\\q'");
  });

  it('when LIKE is used, then % and _ are wildcards matched case-insensitively and \\% \\_ are themselves', () => {
    expect(names(`SELECT Name FROM Account WHERE Name LIKE 'acme%' ORDER BY Name`)).toEqual([
      'Acme',
      'acme subsidiary',
    ]);
    expect(names(`SELECT Name FROM Account WHERE Name LIKE '_lobex'`)).toEqual(['Globex']);
    expect(names(`SELECT Name FROM Account WHERE Name LIKE '%BRIEN%'`)).toEqual(["O'Brien & Sons"]);
    expect(query(`SELECT Id FROM Contact WHERE LastName LIKE '100\\%\\_Sure'`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Contact WHERE LastName LIKE '100\\%\\_S'`).totalSize).toBe(0);
    expect(query(`SELECT Id FROM Contact WHERE LastName LIKE '1000%'`).totalSize).toBe(0);
  });

  it('when a LIKE pattern holds a hyphen or a slash, then they match themselves (a web domain, a path)', () => {
    const website = likeMatcher(`'%acme-corp.io/%'`);
    expect(website('https://www.ACME-corp.io/about')).toBe(true);
    expect(website('https://www.acmexcorp.io/about')).toBe(false);
    expect(query(`SELECT Id FROM Account WHERE Website LIKE '%acme-corp.io/%'`).totalSize).toBe(0);
  });

  it('when IN and NOT IN are used, then strings compare case-insensitively and NOT IN keeps nulls', () => {
    expect(
      names(`SELECT Name FROM Account WHERE Industry IN ('RETAIL', 'technology') ORDER BY Name`),
    ).toEqual(['Acme', 'acme subsidiary', "O'Brien & Sons"]);
    expect(names(`SELECT Name FROM Account WHERE Industry NOT IN ('Technology') ORDER BY Name`)).toEqual([
      'Globex',
      "O'Brien & Sons",
    ]);
  });

  it('when an IN list holds null, then rows without a value are in it', () => {
    expect(names(`SELECT Name FROM Account WHERE Industry IN (null, 'Retail') ORDER BY Name`)).toEqual([
      'Globex',
      "O'Brien & Sons",
    ]);
    expect(query(`SELECT Id FROM Account WHERE Industry NOT IN (null, 'Retail')`).totalSize).toBe(2);
  });

  it('when a field is compared with null, then = null and != null split the rows', () => {
    expect(names(`SELECT Name FROM Account WHERE Industry = null`)).toEqual(['Globex']);
    expect(names(`SELECT Name FROM Account WHERE Industry = ''`)).toEqual(['Globex']);
    expect(query(`SELECT Id FROM Account WHERE Industry != null`).totalSize).toBe(3);
  });

  it('when booleans, numbers and currency are compared, then they compare as such', () => {
    expect(
      query(`SELECT Id FROM Contact WHERE HasOptedOutOfEmail = true`).records.map((r) => r['Id']),
    ).toEqual([ids['john']]);
    expect(names(`SELECT Name FROM Account WHERE NumberOfEmployees >= 40 ORDER BY Name`)).toEqual([
      'Acme',
      'Globex',
    ]);
    expect(names(`SELECT Name FROM Account WHERE AnnualRevenue > 1000000.50 ORDER BY Name`)).toEqual([
      'Acme',
      'Globex',
    ]);
    expect(names(`SELECT Name FROM Opportunity WHERE Amount < 10000`)).toEqual(['Globex Deal']);
  });

  it('when a literal has the wrong type for its field, then INVALID_FIELD says what type it must be', () => {
    expect(failure(`SELECT Id FROM Opportunity WHERE Amount = '5'`).message).toContain(
      "value of filter criterion for field 'Amount' must be of type double and should not be enclosed in quotes",
    );
    expect(failure(`SELECT Id FROM Account WHERE Name = 5`).message).toContain(
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    );
    expect(failure(`SELECT Id FROM Contact WHERE HasOptedOutOfEmail = 'true'`).errorCode).toBe(
      'INVALID_FIELD',
    );
    expect(failure(`SELECT Id FROM Event WHERE StartDateTime > 2026-01-01`).message).toContain(
      'must be of type dateTime',
    );
  });

  it('when an operator does not suit the field type, then INVALID_QUERY_FILTER_OPERATOR', () => {
    expect(failure(`SELECT Id FROM Account WHERE Industry INCLUDES ('Retail')`).errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
    expect(failure(`SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'`).errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
    expect(failure(`SELECT Id FROM Contact WHERE HasOptedOutOfEmail > false`).errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
  });

  it('when an IN list holds something that is not an id for an id field, then invalid ID field', () => {
    expect(failure(`SELECT Id FROM Contact WHERE AccountId IN ('${ids['acme']}', 'x')`).message).toBe(
      'invalid ID field: x',
    );
  });

  it('when an id literal is not an id, then INVALID_QUERY_FILTER_OPERATOR says invalid ID field', () => {
    const e = failure(`SELECT Id FROM Contact WHERE AccountId = 'nope'`);
    expect(e.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.message).toBe('invalid ID field: nope');
  });

  it('when Id is pinned to a list, then only live records of the queried object among them come back, in creation order', () => {
    expect(
      idsOf(
        `SELECT Id FROM Account WHERE Id IN ('${ids['globex']}', '${ids['acme']}', '${ids['initech']}', '${ids['jane']}')`,
      ),
    ).toEqual([ids['acme'], ids['globex']]);
    expect(
      idsOf(`SELECT Id FROM Account WHERE Id IN ('${ids['globex']}', '${ids['acme']}') AND Name = 'Globex'`),
    ).toEqual([ids['globex']]);
    expect(query(`SELECT Id FROM Account WHERE Id = '${ids['initech']}'`, true).totalSize).toBe(1);
  });

  it('when an id is given in 15 characters, then it matches the 18-character id', () => {
    expect(idsOf(`SELECT Id FROM Account WHERE Id = '${ids['acme']?.slice(0, 15)}'`)).toEqual([ids['acme']]);
  });

  it('when AND, OR and NOT are combined with parentheses, then they group as written', () => {
    expect(
      names(
        `SELECT Name FROM Account WHERE (Industry = 'Technology' OR Type = 'Prospect') AND NOT (Name LIKE 'acme s%') ORDER BY Name`,
      ),
    ).toEqual(['Acme', 'Globex']);
    expect(names(`SELECT Name FROM Account WHERE NOT Industry = 'Technology' ORDER BY Name`)).toEqual([
      'Globex',
      "O'Brien & Sons",
    ]);
  });

  it('when a filter follows a relationship, then it reads the parent, and an empty reference reads as null', () => {
    expect(query(`SELECT Id FROM Contact WHERE Account.Owner.Alias = 'BSELLER'`).totalSize).toBe(3);
    expect(query(`SELECT Id FROM Contact WHERE Account.Name = null`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Contact WHERE Account.Name != 'Acme'`).totalSize).toBe(3);
    expect(query(`SELECT Id FROM Event WHERE Who.Type = 'Lead'`).records.map((r) => r['Id'])).toEqual([
      ids['intro'],
    ]);
  });

  it('when a long text area is filtered, then INVALID_FIELD says it can not be filtered', () => {
    expect(failure(`SELECT Id FROM Account WHERE Description = 'x'`).message).toContain(
      "field 'Description' can not be filtered in a query call",
    );
  });

  it('when dates and datetimes are compared with literals, then they compare as dates', () => {
    expect(names(`SELECT Name FROM Opportunity WHERE CloseDate >= 2026-11-24 ORDER BY Name`)).toEqual([
      'Acme Renewal',
      'Acme Upsell',
    ]);
    expect(query(`SELECT Id FROM Event WHERE StartDateTime > 2026-11-23T15:00:00Z`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Event WHERE StartDateTime >= 2026-11-23T16:00:00+01:00`).totalSize).toBe(2);
  });

  it('when a date or datetime literal is not a real date, then MALFORMED_QUERY', () => {
    expect(failure(`SELECT Id FROM Contact WHERE Birthdate = 2026-02-30`).errorCode).toBe('MALFORMED_QUERY');
    expect(failure(`SELECT Id FROM Event WHERE StartDateTime > 2026-11-23T25:00:00Z`).errorCode).toBe(
      'MALFORMED_QUERY',
    );
  });

  it('when date literals are used, then they are ranges around today (24 November 2026, UTC)', () => {
    expect(names(`SELECT Name FROM Opportunity WHERE CloseDate = TODAY`)).toEqual(['Acme Upsell']);
    expect(query(`SELECT Subject FROM Event WHERE StartDateTime = YESTERDAY`).records[0]?.['Subject']).toBe(
      'Discovery call',
    );
    expect(query(`SELECT Id FROM Event WHERE StartDateTime = LAST_N_DAYS:1`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Event WHERE StartDateTime = NEXT_N_DAYS:1`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Event WHERE StartDateTime = THIS_MONTH`).totalSize).toBe(2);
    expect(query(`SELECT Id FROM Event WHERE StartDateTime < THIS_MONTH`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Opportunity WHERE CloseDate > THIS_MONTH`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Event WHERE ActivityDate = LAST_N_DAYS:60`).totalSize).toBe(2);
  });

  it('when a date function is filtered, then it reads the date part in UTC', () => {
    expect(query(`SELECT Id FROM Event WHERE CALENDAR_MONTH(StartDateTime) = 10`).totalSize).toBe(1);
    expect(query(`SELECT Id FROM Contact WHERE CALENDAR_YEAR(Birthdate) < 1980`).totalSize).toBe(1);
  });

  it('when multi-select picklists are filtered with INCLUDES and EXCLUDES, then selections are matched', () => {
    expect(names(`SELECT Name FROM Account WHERE Regions__c INCLUDES ('emea') ORDER BY Name`)).toEqual([
      'Acme',
      'acme subsidiary',
    ]);
    expect(
      names(`SELECT Name FROM Account WHERE Regions__c INCLUDES ('EMEA;AMER', 'APAC') ORDER BY Name`),
    ).toEqual(['Acme', 'Globex']);
    expect(query(`SELECT Id FROM Account WHERE Regions__c EXCLUDES ('EMEA')`).totalSize).toBe(2);
  });
});

describe('SOQL: semi-joins and anti-joins', () => {
  it('when Id IN a subquery, then only rows whose id the subquery selects remain', () => {
    expect(
      query(
        `SELECT LastName FROM Contact WHERE Id IN (SELECT WhoId FROM Event WHERE Subject LIKE 'discovery%')`,
      ).records.map((r) => r['LastName']),
    ).toEqual(['Doe']);
  });

  it('when NOT IN a subquery, then rows the subquery selects are dropped', () => {
    expect(
      names(`SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact) ORDER BY Name`),
    ).toEqual(['acme subsidiary']);
  });

  it('when a reference field is IN a subquery over EventRelation, then it links through it', () => {
    expect(
      names(
        `SELECT Name FROM Contact WHERE Id IN (SELECT RelationId FROM EventRelation WHERE IsParent = true AND IsInvitee = false) ORDER BY Name`,
      ),
    ).toEqual(['Jane Doe', 'John Smith']);
  });

  it('when a semi-join sits under OR or selects a non-id field, then the query fails', () => {
    expect(
      failure(`SELECT Id FROM Contact WHERE Name = 'x' OR Id IN (SELECT WhoId FROM Event)`).errorCode,
    ).toBe('MALFORMED_QUERY');
    expect(failure(`SELECT Id FROM Contact WHERE Id IN (SELECT Subject FROM Event)`).errorCode).toBe(
      'INVALID_FIELD',
    );
    expect(failure(`SELECT Id FROM Account WHERE ParentId IN (SELECT Id FROM Account)`).message).toContain(
      'The inner and outer selects should not be on the same object type',
    );
    expect(failure(`SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Event WHERE Foo = 1)`).errorCode).toBe(
      'INVALID_FIELD',
    );
  });
});

describe('SOQL: ORDER BY, LIMIT, OFFSET', () => {
  it('when ordering ascending, then nulls come first; descending, nulls come last', () => {
    expect(names(`SELECT Name FROM Account ORDER BY Industry, Name`)).toEqual([
      'Globex',
      "O'Brien & Sons",
      'Acme',
      'acme subsidiary',
    ]);
    expect(names(`SELECT Name FROM Account ORDER BY Industry DESC, Name DESC`)).toEqual([
      'acme subsidiary',
      'Acme',
      "O'Brien & Sons",
      'Globex',
    ]);
  });

  it('when NULLS FIRST or LAST is given, then it overrides the default', () => {
    expect(names(`SELECT Name FROM Account ORDER BY Industry ASC NULLS LAST, Name`)).toEqual([
      "O'Brien & Sons",
      'Acme',
      'acme subsidiary',
      'Globex',
    ]);
    expect(names(`SELECT Name FROM Account ORDER BY AnnualRevenue DESC NULLS FIRST`)[0]).toBe(
      "O'Brien & Sons",
    );
  });

  it('when ordering by a picklist, then values follow the picklist order, not the alphabet', () => {
    expect(names(`SELECT Name FROM Opportunity ORDER BY StageName, Name`)).toEqual([
      'Acme Renewal',
      'Acme Upsell',
      'Globex Deal',
    ]);
    expect(names(`SELECT Name FROM Opportunity ORDER BY StageName DESC, Name`)[0]).toBe('Globex Deal');
  });

  it('when ordering by a parent field, then rows sort by it', () => {
    expect(
      query(
        `SELECT LastName FROM Contact WHERE AccountId != null ORDER BY Account.Name DESC, LastName`,
      ).records.map((r) => r['LastName']),
    ).toEqual(["O'Brien", '100%_Sure', 'Doe', 'Smith']);
  });

  it('when LIMIT and OFFSET are given, then they cut the sorted rows', () => {
    expect(names(`SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1`)).toEqual([
      'acme subsidiary',
      'Globex',
    ]);
    expect(query(`SELECT Id FROM Account LIMIT 0`).totalSize).toBe(0);
  });

  it('when OFFSET exceeds 2000, then NUMBER_OUTSIDE_VALID_RANGE', () => {
    const e = failure(`SELECT Id FROM Account ORDER BY Name OFFSET 2001`);
    expect(e.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });

  it('when a child subquery uses OFFSET, then it needs an outer LIMIT 1; a semi-join may not use it at all', () => {
    expect(failure(`SELECT Name, (SELECT Id FROM Contacts OFFSET 1) FROM Account`).errorCode).toBe(
      'MALFORMED_QUERY',
    );
    const rows = query(
      `SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName OFFSET 1) FROM Account WHERE Name = 'Acme' LIMIT 1`,
    ).records;
    expect(
      (rows[0]?.['Contacts'] as { records: { LastName: string }[] }).records.map((r) => r.LastName),
    ).toEqual(['Smith']);
    expect(
      failure(`SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account OFFSET 1)`).errorCode,
    ).toBe('MALFORMED_QUERY');
  });

  it('when ordering by a long text area, then INVALID_FIELD says it can not be sorted', () => {
    expect(failure(`SELECT Id FROM Account ORDER BY Description`).message).toContain('can not be sorted');
  });
});

describe('SOQL: aggregates', () => {
  it('when COUNT() is selected, then totalSize is the count and records are empty', () => {
    expect(query(`SELECT COUNT() FROM Contact`)).toEqual({ totalSize: 5, records: [] });
    expect(query(`SELECT COUNT() FROM Contact WHERE AccountId = '${ids['acme']}'`)).toEqual({
      totalSize: 2,
      records: [],
    });
    expect(query(`SELECT COUNT() FROM Contact LIMIT 3`).totalSize).toBe(3);
  });

  it('when COUNT() is combined with other fields, ORDER BY or GROUP BY, then MALFORMED_QUERY', () => {
    expect(failure(`SELECT COUNT(), Name FROM Contact`).errorCode).toBe('MALFORMED_QUERY');
    expect(failure(`SELECT COUNT() FROM Contact ORDER BY Name`).errorCode).toBe('MALFORMED_QUERY');
    expect(failure(`SELECT COUNT() FROM Contact GROUP BY AccountId`).errorCode).toBe('MALFORMED_QUERY');
  });

  it('when COUNT(field) and MAX are selected without GROUP BY, then one AggregateResult row with expr0, expr1', () => {
    expect(query(`SELECT COUNT(Id), MAX(Amount), MIN(CloseDate) FROM Opportunity`)).toEqual({
      totalSize: 1,
      records: [{ attributes: { type: 'AggregateResult' }, expr0: 3, expr1: 10000, expr2: '2026-11-20' }],
    });
    expect(query(`SELECT COUNT(Id) FROM Opportunity WHERE Name = 'none'`).records).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 0 },
    ]);
  });

  it('when GROUP BY with aliases and HAVING is used, then each group is a row filtered on the aggregate', () => {
    const rows = query(
      `SELECT AccountId, COUNT(Id) n, SUM(Amount) total FROM Opportunity GROUP BY AccountId HAVING COUNT(Id) > 1`,
    ).records;
    expect(rows).toEqual([
      { attributes: { type: 'AggregateResult' }, AccountId: ids['acme'], n: 2, total: 10000 },
    ]);
  });

  it('when grouped by a parent field and ordered by an aggregate, then rows follow the aggregate', () => {
    const rows = query(
      `SELECT Account.Name, COUNT_DISTINCT(OwnerId), COUNT(Id) FROM Contact GROUP BY Account.Name ORDER BY COUNT(Id) DESC, Account.Name`,
    ).records;
    expect(rows[0]).toEqual({ attributes: { type: 'AggregateResult' }, Name: 'Acme', expr0: 1, expr1: 2 });
    expect(rows).toHaveLength(4);
  });

  it('when a field is neither grouped nor aggregated, then MALFORMED_QUERY', () => {
    const e = failure(`SELECT Name, COUNT(Id) FROM Account`);
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toContain('Field must be grouped or aggregated: Name');
  });

  it('when grouped by a date function, then the group is named exprN like other expressions', () => {
    expect(
      query(
        `SELECT CALENDAR_MONTH(StartDateTime), COUNT(Id) FROM Event GROUP BY CALENDAR_MONTH(StartDateTime) ORDER BY CALENDAR_MONTH(StartDateTime)`,
      ).records,
    ).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 10, expr1: 1 },
      { attributes: { type: 'AggregateResult' }, expr0: 11, expr1: 2 },
    ]);
  });

  it('when a date function reads convertTimezone(field), then it reads the field (the org is in UTC)', () => {
    expect(
      query(
        `SELECT HOUR_IN_DAY(convertTimezone(StartDateTime)) h, COUNT(Id) n FROM Event GROUP BY HOUR_IN_DAY(convertTimezone(StartDateTime)) ORDER BY HOUR_IN_DAY(convertTimezone(StartDateTime))`,
      ).records.map((r) => [r['h'], r['n']]),
    ).toEqual([
      [8, 1],
      [10, 1],
      [15, 1],
    ]);
  });

  it('when toLabel() is selected, then picklist values read as their labels', () => {
    expect(
      query(`SELECT toLabel(StageName) FROM Opportunity WHERE Name = 'Globex Deal'`).records[0],
    ).toMatchObject({ StageName: 'Won' });
    expect(query(`SELECT StageName FROM Opportunity WHERE Name = 'Globex Deal'`).records[0]).toMatchObject({
      StageName: 'Closed Won',
    });
  });

  it('when HAVING filters on a grouped field and AVG is asked, then groups are kept by that field', () => {
    expect(
      query(
        `SELECT StageName, AVG(Probability) p FROM Opportunity GROUP BY StageName HAVING StageName = 'prospecting'`,
      ).records,
    ).toEqual([{ attributes: { type: 'AggregateResult' }, StageName: 'Prospecting', p: 15 }]);
  });

  it('when GROUP BY ROLLUP or an unsupported function is asked, then the query fails rather than inventing rows', () => {
    expect(failure(`SELECT Industry, COUNT(Id) FROM Account GROUP BY ROLLUP(Industry)`).errorCode).toBe(
      'MALFORMED_QUERY',
    );
    expect(failure(`SELECT Name, DISTANCE(Loc__c, GEOLOCATION(1,2), 'mi') FROM Account`).errorCode).toBe(
      'INVALID_FIELD',
    );
    expect(failure(`SELECT Id FROM Account WITH DATA CATEGORY Geography__c AT asia__c`).errorCode).toBe(
      'MALFORMED_QUERY',
    );
  });

  it('when SUM is applied to a text field, then INVALID_FIELD', () => {
    expect(failure(`SELECT SUM(Name) FROM Account`).errorCode).toBe('INVALID_FIELD');
  });
});

describe('SOQL: deleted records and clauses accepted as no-ops', () => {
  it('when includeDeleted is off, then deleted records are absent; on (queryAll), they appear with IsDeleted true', () => {
    expect(query(`SELECT Id FROM Account WHERE Name = 'Initech'`).totalSize).toBe(0);
    const all = query(`SELECT Name, IsDeleted FROM Account WHERE Name = 'Initech'`, true).records;
    expect(all).toEqual([expect.objectContaining({ Name: 'Initech', IsDeleted: true })]);
    expect(query(`SELECT COUNT() FROM Account WHERE IsDeleted = true`, true).totalSize).toBe(1);
  });

  it('when queryAll follows relationships, then deleted parents and children are read too', () => {
    const gone = query(`SELECT LastName, Account.Name FROM Contact WHERE LastName = 'Gone'`, true).records[0];
    expect(gone?.['Account']).toMatchObject({ Name: 'Initech' });
    const initech = query(
      `SELECT Name, (SELECT LastName, IsDeleted FROM Contacts) FROM Account WHERE Name = 'Initech'`,
      true,
    ).records[0];
    expect((initech?.['Contacts'] as { records: unknown[] }).records).toEqual([
      expect.objectContaining({ LastName: 'Gone', IsDeleted: true }),
    ]);
  });

  it('when FOR VIEW, FOR UPDATE, WITH SECURITY_ENFORCED or WITH USER_MODE is given, then the query runs as usual', () => {
    for (const tail of [
      'FOR VIEW',
      'FOR REFERENCE',
      'FOR UPDATE',
      'WITH SECURITY_ENFORCED',
      'WITH USER_MODE',
    ]) {
      expect(query(`SELECT Id FROM Account ${tail}`).totalSize).toBe(4);
    }
  });

  it('when FOR UPDATE comes with ORDER BY, then MALFORMED_QUERY, as locking queries cannot sort', () => {
    expect(failure(`SELECT Id FROM Account ORDER BY Name FOR UPDATE`).errorCode).toBe('MALFORMED_QUERY');
  });

  it("when USING SCOPE mine is given, then only the running user's records come back", () => {
    expect(names(`SELECT Name FROM Account USING SCOPE mine`)).toEqual(['Globex']);
  });

  it('when the FROM list names relationship aliases, then they stand for those paths', () => {
    expect(query(`SELECT COUNT() FROM Contact, Contact.Account WHERE Account.Name = 'Acme'`).totalSize).toBe(
      2,
    );
    expect(
      query(
        `SELECT c.LastName, a.Name FROM Contact c, c.Account a WHERE a.Name = 'Acme' ORDER BY c.LastName`,
      ).records.map((r) => [r['LastName'], (r['Account'] as { Name: string }).Name]),
    ).toEqual([
      ['Doe', 'Acme'],
      ['Smith', 'Acme'],
    ]);
    expect(failure(`SELECT Id FROM Contact, Contact.Acount a WHERE a.Name = 'x'`).errorCode).toBe(
      'INVALID_FIELD',
    );
  });

  it('when the object prefix or an alias qualifies fields, then they resolve as plain fields', () => {
    expect(names(`SELECT a.Name FROM Account a WHERE a.Name = 'Globex'`)).toEqual(['Globex']);
    expect(names(`SELECT Account.Name FROM Account WHERE Name = 'Globex'`)).toEqual(['Globex']);
  });
});

describe('SOQL: error excerpts', () => {
  it('when the query is long, then the message shows the words around the error, as Salesforce does', () => {
    const soql =
      'select Id, Company,Email,LastName,SF_date__c, ConvertedContactId from Lead where Email != null and IsConverted = false';
    const e = failure(soql);
    expect(e.message).toBe(
      "\nselect Id, Company,Email,LastName,SF_date__c, ConvertedContactId from\n                                  ^\nERROR at Row:1:Column:35\nNo such column 'SF_date__c' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });
});
