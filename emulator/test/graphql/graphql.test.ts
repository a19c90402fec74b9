/**
 * The UI API GraphQL endpoint over HTTP, with real documents: the recordings card's query (refused, as
 * Salesforce refuses a semi-join under OR), the fixed form with aliased connections, variables,
 * ordering, paging, totalCount and the errors Salesforce's GraphQL API answers with.
 */
import type { LocalOrg } from '../../src/index.ts';
import {
  MEETINGS_OPERATION,
  MEETINGS_QUERY_TEXT,
  meetingVariables,
} from '../../../force-app/main/default/lwc/salescalingRecordings/meetingsQuery.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());

const graphql = async (query: string, variables?: Record<string, unknown>, operationName?: string) => {
  const res = await call('POST', `${V}/graphql`, { query, variables, operationName });
  expect(res.status).toBe(200);
  return res.body as Json;
};
const soqlIds = async (q: string, field = 'Id'): Promise<string[]> =>
  ((await call('GET', `${V}/query?q=${encodeURIComponent(q)}`)).body.records as Json[]).map(
    (r: Json) => r[field] as string,
  );
const nodes = (connection: Json): Json[] => (connection.edges as Json[]).map((e: Json) => e.node);

/**
 * The card's query before issue 8, kept here as a literal document: one connection per object whose
 * filter put the relation semi-join under `or`, which SOQL (and so the UI API GraphQL) refuses.
 */
const OLD_OR_QUERY = `
  query salescalingMeetings($eventWhere: Event_Filter, $taskWhere: Task_Filter, $first: Int) {
    uiapi {
      query {
        Event(where: $eventWhere, orderBy: { StartDateTime: { order: DESC } }, first: $first) {
          totalCount
          edges { node { Id Subject { value } Salescaling_Meeting_Id__c { value } } }
        }
        Task(where: $taskWhere, orderBy: { CreatedDate: { order: DESC } }, first: $first) {
          edges { node { Id Salescaling_Meeting_Id__c { value } } }
        }
      }
    }
  }
`;

let w: { accountId: string; contacts: string[]; events: Record<string, string> };

beforeAll(async () => {
  const [accountId] = org.seed('Account', [{ Name: 'Acme' }]);
  const contacts = org.seed(
    'Contact',
    ['Ada', 'Bob', 'Cy'].map((n) => ({ LastName: n, AccountId: accountId })),
  );
  const create = async (body: Record<string, unknown>): Promise<string> => {
    const res = await call('POST', `${V}/sobjects/Event`, { DurationInMinutes: 30, ...body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const events = {
    // Ada is the Who of e1 and e3, an invitee of e2; e3 has no meeting id; e4 is Cy's.
    e1: await create({
      Subject: 'Kick-off',
      WhoId: contacts[0],
      StartDateTime: '2026-11-20T16:00:00Z',
      Salescaling_Meeting_Id__c: 'm1',
    }),
    e2: await create({
      Subject: 'Demo',
      WhoId: contacts[1],
      StartDateTime: '2026-11-22T09:30:00Z',
      Salescaling_Meeting_Id__c: 'm2',
    }),
    e3: await create({ Subject: 'Lunch', WhoId: contacts[0], StartDateTime: '2026-11-23T12:00:00Z' }),
    e4: await create({
      Subject: 'Other',
      WhoId: contacts[2],
      StartDateTime: '2026-11-21T10:00:00Z',
      Salescaling_Meeting_Id__c: 'm4',
    }),
  };
  const rel = await call('POST', `${V}/sobjects/EventRelation`, {
    EventId: events.e2,
    RelationId: contacts[0],
  });
  expect(rel.status).toBe(201);
  w = { accountId: accountId!, contacts, events };
});

const HAS_MEETING_ID = { Salescaling_Meeting_Id__c: { ne: null } };

describe('the recordings card query', () => {
  it('when a document puts the relation semi-join under OR (the card before issue 8), then both connections are refused with SOQL’s reason', async () => {
    const recordId = w.contacts[0];
    const orRelated = (rel: string, api: string) => ({
      or: [
        { WhoId: { eq: recordId } },
        { Id: { inq: { [rel]: { RelationId: { eq: recordId } }, ApiName: api } } },
      ],
    });
    const body = await graphql(
      OLD_OR_QUERY,
      {
        eventWhere: { and: [HAS_MEETING_ID, orRelated('EventRelation', 'EventId')] },
        taskWhere: { and: [HAS_MEETING_ID, orRelated('TaskRelation', 'TaskId')] },
        first: 5,
      },
      'salescalingMeetings',
    );
    expect(body.data.uiapi.query).toEqual({ Event: null, Task: null });
    expect(body.errors).toHaveLength(2);
    for (const e of body.errors as Json[]) {
      expect(e.extensions.ErrorType).toBe('DataFetchingException');
      expect(e.message).toBe("Semi join sub-selects are not allowed with the 'OR' operator");
      expect(e.locations[0]).toEqual({ line: expect.any(Number), column: expect.any(Number) });
    }
    expect(body.errors.map((e: Json) => e.path)).toEqual([
      ['uiapi', 'query', 'Event'],
      ['uiapi', 'query', 'Task'],
    ]);
  });

  it('when the card sends its exported query and variables for a Contact, then it answers with her meetings: primary and related, disjoint', async () => {
    const body = await graphql(
      MEETINGS_QUERY_TEXT,
      meetingVariables('Contact', w.contacts[0]!, 5),
      MEETINGS_OPERATION,
    );
    expect(body.errors).toBeUndefined();
    const q = body.data.uiapi.query;
    // Ada is the Who of e1 (e3 has no meeting id) and related to e2 through an EventRelation row.
    expect(nodes(q.events).map((n) => n.Id)).toEqual([w.events.e1]);
    expect(nodes(q.relatedEvents).map((n) => n.Id)).toEqual([w.events.e2]);
    expect(q.events.totalCount + q.relatedEvents.totalCount).toBe(2);
    expect(q.tasks.edges).toEqual([]);
    expect(q.relatedTasks.edges).toEqual([]);
  });
});

const FIXED = `
  query meetings($recordId: ID, $first: Int = 10) {
    uiapi {
      query {
        byWho: Event(
          where: { and: [{ Salescaling_Meeting_Id__c: { ne: null } }, { WhoId: { eq: $recordId } }] }
          orderBy: { StartDateTime: { order: DESC } }
          first: $first
        ) {
          edges { node { Id Subject { value } StartDateTime { value displayValue } Salescaling_Meeting_Id__c { value } } }
          totalCount
        }
        byRelation: Event(
          where: {
            and: [
              { Salescaling_Meeting_Id__c: { ne: null } }
              { Id: { inq: { EventRelation: { RelationId: { eq: $recordId } }, ApiName: "EventId" } } }
            ]
          }
          orderBy: { StartDateTime: { order: DESC } }
          first: $first
        ) {
          edges { node { Id Subject { value } Account { Name { value } } } }
          totalCount
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }`;

describe('the fixed form: aliased connections', () => {
  it('when the WhoId and EventRelation connections are asked for a contact, then each holds exactly the org’s matching events', async () => {
    const ada = w.contacts[0]!;
    const body = await graphql(FIXED, { recordId: ada });
    expect(body.errors).toBeUndefined();
    const { byWho, byRelation } = body.data.uiapi.query;

    const expectedWho = await soqlIds(
      `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c != null AND WhoId = '${ada}' ORDER BY StartDateTime DESC`,
    );
    expect(nodes(byWho).map((n) => n.Id)).toEqual(expectedWho);
    expect(expectedWho).toEqual([w.events.e1]);
    expect(nodes(byWho)[0]).toEqual({
      Id: w.events.e1,
      Subject: { value: 'Kick-off' },
      StartDateTime: { value: '2026-11-20T16:00:00.000Z', displayValue: '11/20/2026, 4:00 PM' },
      Salescaling_Meeting_Id__c: { value: 'm1' },
    });
    expect(byWho.totalCount).toBe(1);

    const related = await soqlIds(`SELECT EventId FROM EventRelation WHERE RelationId = '${ada}'`, 'EventId');
    const expectedRel = await soqlIds(
      `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c != null AND Id IN ('${related.join("','")}') ORDER BY StartDateTime DESC`,
    );
    expect(nodes(byRelation).map((n) => n.Id)).toEqual(expectedRel);
    expect(new Set(expectedRel)).toEqual(new Set([w.events.e1, w.events.e2]));
    expect(nodes(byRelation)[0].Account).toEqual({ Name: { value: 'Acme' } });
    expect(byRelation.totalCount).toBe(2);
    expect(byRelation.pageInfo.hasNextPage).toBe(false);
  });

  it('when first is smaller than the matches, then a page, totalCount of all, and after continues from endCursor', async () => {
    const ada = w.contacts[0]!;
    const one = await graphql(FIXED, { recordId: ada, first: 1 });
    const page1 = one.data.uiapi.query.byRelation;
    expect(nodes(page1).map((n) => n.Id)).toEqual([w.events.e2]);
    expect(page1.totalCount).toBe(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);

    const next = await graphql(
      `query($after: String) { uiapi { query { Event(first: 1, after: $after,
         where: { Salescaling_Meeting_Id__c: { ne: null }, Id: { inq: { EventRelation: { RelationId: { eq: "${ada}" } }, ApiName: "EventId" } } }
         orderBy: { StartDateTime: { order: DESC } }) {
         edges { cursor node { Id } } pageInfo { hasNextPage hasPreviousPage } } } } }`,
      { after: page1.pageInfo.endCursor },
    );
    expect(nodes(next.data.uiapi.query.Event).map((n) => n.Id)).toEqual([w.events.e1]);
    expect(next.data.uiapi.query.Event.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it('when first is omitted, then at most 10 records come back (the documented default)', async () => {
    org.seed(
      'Account',
      Array.from({ length: 12 }, (_, i) => ({ Name: `Paged ${String(i).padStart(2, '0')}` })),
    );
    const body = await graphql(`
      {
        uiapi {
          query {
            Account(where: { Name: { like: "Paged%" } }, orderBy: { Name: { order: ASC } }) {
              edges {
                node {
                  Name {
                    value
                  }
                }
              }
              totalCount
            }
          }
        }
      }
    `);
    const names = nodes(body.data.uiapi.query.Account).map((n) => n.Name.value);
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `Paged ${String(i).padStart(2, '0')}`));
    expect(body.data.uiapi.query.Account.totalCount).toBe(12);
  });
});

describe('filters and ordering', () => {
  const subjects = async (where: string, order = '{ Subject: { order: ASC } }') => {
    const body = await graphql(
      `{ uiapi { query { Event(where: ${where}, orderBy: ${order}) { edges { node { Subject { value } } } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    return nodes(body.data.uiapi.query.Event).map((n) => n.Subject.value as string);
  };

  it('when filters use or/not/in/nin/like/ranges, then the same records as the equivalent SOQL come back', async () => {
    expect(await subjects('{ or: [{ Subject: { eq: "demo" } }, { Subject: { like: "Kick%" } }] }')).toEqual([
      'Demo',
      'Kick-off',
    ]);
    expect(await subjects('{ not: { Subject: { in: ["Demo", "Lunch"] } } }')).toEqual(['Kick-off', 'Other']);
    expect(await subjects('{ Subject: { nin: ["Demo", "Lunch"] } }')).toEqual(['Kick-off', 'Other']);
    expect(
      await subjects(
        '{ StartDateTime: { gte: { value: "2026-11-21T00:00:00Z" }, lt: { value: "2026-11-23T00:00:00Z" } } }',
      ),
    ).toEqual(['Demo', 'Other']);
    expect(await subjects('{ Account: { Name: { eq: "Acme" } } }')).toEqual([
      'Demo',
      'Kick-off',
      'Lunch',
      'Other',
    ]);
  });

  it('when an anti-join (ninq) is asked, then events related to the contact are left out', async () => {
    const ada = w.contacts[0]!;
    expect(
      await subjects(
        `{ Id: { ninq: { EventRelation: { RelationId: { eq: "${ada}" } }, ApiName: "EventId" } } }`,
      ),
    ).toEqual(['Other']);
  });

  it('when orderBy names several fields and nulls, then rows follow SOQL’s order', async () => {
    expect(
      await subjects(
        '{}',
        '{ Salescaling_Meeting_Id__c: { order: DESC, nulls: LAST }, Subject: { order: ASC } }',
      ),
    ).toEqual(['Other', 'Demo', 'Kick-off', 'Lunch']);
  });
});

describe('errors as Salesforce’s GraphQL API answers them', () => {
  it('when a node asks for an unknown field, then a ValidationError with its location and no data', async () => {
    const body = await graphql(
      'query {\n  uiapi { query { Event { edges { node { Id Nope { value } } } } } }\n}',
    );
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message:
          "Validation error (FieldUndefined@[uiapi/query/Event/edges/node/Nope]) : Field 'Nope' in type 'Event' is undefined",
        locations: [{ line: 2, column: 45 }],
        extensions: { ErrorType: 'ValidationError' },
      },
    ]);
  });

  it('when an unknown object or a wrong-case object name is queried, then a ValidationError on RecordQuery', async () => {
    for (const name of ['Nope__c', 'event']) {
      const body = await graphql(`{ uiapi { query { ${name} { edges { node { Id } } } } } }`);
      expect(body.errors[0].message).toBe(
        `Validation error (FieldUndefined@[uiapi/query/${name}]) : Field '${name}' in type 'RecordQuery' is undefined`,
      );
      expect(body.errors[0].extensions.ErrorType).toBe('ValidationError');
    }
  });

  it('when a where filter names an unknown field, then a ValidationError naming it', async () => {
    const body = await graphql(
      '{ uiapi { query { Event(where: { Nope: { eq: "x" } }) { edges { node { Id } } } } } }',
    );
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/Field 'Nope' in type 'Event' is undefined/);
    // A long text area is not filterable: the same error, as the Query Limitations page says.
    const long = await graphql(
      '{ uiapi { query { Event(where: { Description: { eq: "x" } }) { totalCount } } } }',
    );
    expect(long.errors[0].message).toMatch(/Field 'Description' in type 'Event' is undefined/);
  });

  it('when the document is not GraphQL, then InvalidSyntax with the line and column', async () => {
    const body = await graphql('query { uiapi { query { Event { edges { node { Id } } }');
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^Invalid Syntax : Syntax Error: Expected Name, found <EOF>/),
      locations: [{ line: 1, column: 56 }],
      extensions: { ErrorType: 'InvalidSyntax' },
    });
  });

  it('when a variable’s declared type is not the argument’s (Task_Filter for Event), then a ValidationError', async () => {
    const body = await graphql(
      'query q($w: Task_Filter, $n: Int!) { uiapi { query { Event(where: $w, first: $n) { totalCount } } } }',
      { w: {}, n: 1 },
    );
    expect(body.data).toBeUndefined();
    expect(body.errors[0]).toMatchObject({
      message: expect.stringMatching(
        /Variable type 'Task_Filter' does not match expected type 'Event_Filter'/,
      ),
      extensions: { ErrorType: 'ValidationError' },
    });
    const ok = await graphql(
      'query q($w: Event_Filter, $n: Int!) { uiapi { query { Event(where: $w, first: $n) { totalCount } } } }',
      { w: { Subject: { eq: 'Demo' } }, n: 1 },
    );
    expect(ok.data.uiapi.query.Event.totalCount).toBe(1);
  });

  it('when a String variable is compared with an id field (in a semi-join too), then VariableTypeMismatch; as ID it runs', async () => {
    const doc = (type: string) =>
      `query q($id: ${type}) { uiapi { query { Event(where: { Id: { inq: { EventRelation: { RelationId: { eq: $id } }, ApiName: "EventId" } } }) { totalCount } } } }`;
    const wrong = await graphql(doc('String'), { id: w.contacts[0] });
    expect(wrong.data).toBeUndefined();
    expect(wrong.errors[0].message).toMatch(/Variable type 'String' does not match expected type 'ID'/);
    const right = await graphql(doc('ID!'), { id: w.contacts[0] });
    expect(right.data.uiapi.query.Event.totalCount).toBe(3);
  });

  it('when a document has two operations and no operationName, then OperationNotSupported', async () => {
    const doc = 'query a { uiapi { __typename } } query b { uiapi { __typename } }';
    expect((await graphql(doc)).errors[0].extensions.ErrorType).toBe('OperationNotSupported');
    expect((await graphql(doc, undefined, 'b')).data).toEqual({ uiapi: { __typename: 'UIAPI' } });
  });

  it('when more than 10 connections are asked in one document, then it is refused', async () => {
    const many = Array.from({ length: 11 }, (_, i) => `a${i}: Account { totalCount }`).join(' ');
    const body = await graphql(`{ uiapi { query { ${many} } } }`);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/up to 10 subqueries/);
  });

  it('when the endpoint is called with GET or below v56.0, then REST’s errors', async () => {
    expect((await call('GET', `${V}/graphql`)).status).toBe(405);
    const old = await call('POST', '/services/data/v55.0/graphql', { query: '{ uiapi { __typename } }' });
    expect(old.status).toBe(404);
  });
});

describe('polymorphic relationships', () => {
  it('when What and Who are read through inline fragments, then each node answers as the object it points to', async () => {
    const [oppId] = org.seed('Opportunity', [
      { Name: 'Big deal', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: w.accountId },
    ]);
    const a = await call('POST', `${V}/sobjects/Event`, {
      Subject: 'Poly A',
      WhatId: w.accountId,
      WhoId: w.contacts[0],
      StartDateTime: '2026-11-24T09:00:00Z',
      DurationInMinutes: 15,
    });
    const b = await call('POST', `${V}/sobjects/Event`, {
      Subject: 'Poly B',
      WhatId: oppId,
      StartDateTime: '2026-11-25T09:00:00Z',
      DurationInMinutes: 15,
    });
    const body = await graphql(`
      fragment opp on Opportunity {
        StageName {
          value
        }
      }
      query {
        uiapi {
          query {
            Event(where: { Subject: { like: "Poly%" } }, orderBy: { Subject: { order: ASC } }) {
              edges {
                node {
                  Subject {
                    value
                  }
                  What {
                    __typename
                    ... on Account {
                      Id
                      Name {
                        value
                      }
                    }
                    ... on Opportunity {
                      Name {
                        value
                      }
                      ...opp
                    }
                  }
                  Who {
                    __typename
                  }
                }
              }
            }
          }
        }
      }
    `);
    expect(body.errors).toBeUndefined();
    expect(nodes(body.data.uiapi.query.Event)).toEqual([
      {
        Subject: { value: 'Poly A' },
        What: { __typename: 'Account', Id: w.accountId, Name: { value: 'Acme' } },
        Who: { __typename: 'Contact' },
      },
      {
        Subject: { value: 'Poly B' },
        What: { __typename: 'Opportunity', Name: { value: 'Big deal' }, StageName: { value: 'Prospecting' } },
        Who: null,
      },
    ]);
    const subjectsWhere = async (where: string) => {
      const res = await graphql(
        `{ uiapi { query { Event(where: { and: [{ Subject: { like: "Poly%" } }, ${where}] }) { edges { node { Subject { value } } } } } } }`,
      );
      return res.errors
        ? res.errors
        : nodes(res.data.uiapi.query.Event).map((n) => n.Subject.value as string);
    };
    expect(await subjectsWhere('{ What: { Account: { Name: { eq: "Acme" } } } }')).toEqual(['Poly A']);
    expect(await subjectsWhere('{ What: { Opportunity: { Name: { like: "Big%" } } } }')).toEqual(['Poly B']);
    expect(await subjectsWhere('{ What: { Opportunity: {} } }')).toEqual(['Poly B']);
    expect(await subjectsWhere('{ What: { Contact: { Name: { eq: "Ada" } } } }')).toMatchObject([
      { message: expect.stringMatching(/Field 'Contact' in type 'Event_What_Filters' is undefined/) },
    ]);
    expect(await subjectsWhere('{ What: { Account: { Industry: { eq: "Media" } } } }')).toMatchObject([
      { message: expect.stringMatching(/only on the Name object's fields/) },
    ]);
    await call('DELETE', `${V}/sobjects/Event/${a.body.id as string}`);
    await call('DELETE', `${V}/sobjects/Event/${b.body.id as string}`);
  });

  it('when a fragment names an object the relationship cannot point to, or a field sits outside a fragment, then a ValidationError', async () => {
    const wrong = await graphql(
      '{ uiapi { query { Event { edges { node { What { ... on Contact { Name { value } } } } } } } } }',
    );
    expect(wrong.errors[0].message).toMatch(/can never be of type 'Contact'/);
    const bare = await graphql(
      '{ uiapi { query { Event { edges { node { What { Name { value } } } } } } } }',
    );
    expect(bare.errors[0].message).toMatch(/Field 'Name' in type 'Event_What' is undefined/);
  });
});

describe('API request counting', () => {
  it('when a document holds three connections, then three API requests are counted (one per subquery)', async () => {
    org.resetCounters();
    const body = await graphql(
      '{ uiapi { query { a: Account { totalCount } b: Contact { totalCount } e: Event { totalCount } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(org.counters()).toMatchObject({ total: 3, graphql: 3 });
  });
});

describe('child relationships', () => {
  it('when an Account node asks for its Contacts with where, orderBy and first, then one level of children comes back paged', async () => {
    const body = await graphql(`
      {
        uiapi {
          query {
            Account(where: { Name: { eq: "Acme" } }) {
              edges {
                node {
                  Name {
                    value
                  }
                  Contacts(
                    where: { LastName: { ne: "Cy" } }
                    orderBy: { LastName: { order: DESC } }
                    first: 1
                  ) {
                    edges {
                      node {
                        LastName {
                          value
                        }
                        Account {
                          Name {
                            value
                          }
                        }
                      }
                    }
                    totalCount
                    pageInfo {
                      hasNextPage
                    }
                  }
                }
              }
            }
          }
        }
      }
    `);
    expect(body.errors).toBeUndefined();
    const acme = nodes(body.data.uiapi.query.Account)[0];
    expect(acme.Contacts).toEqual({
      edges: [{ node: { LastName: { value: 'Bob' }, Account: { Name: { value: 'Acme' } } } }],
      totalCount: 2,
      pageInfo: { hasNextPage: true },
    });
  });

  it('when a child connection asks for its own children, then a ValidationError (one level only)', async () => {
    const body = await graphql(
      '{ uiapi { query { Account { edges { node { Contacts { edges { node { Events { edges { node { Id } } } } } } } } } } } }',
    );
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/Field 'Events' in type 'Contact' is undefined/);
  });
});

describe('child relationships on a contact', () => {
  it('when a Contact node asks for its Events, then the events whose Who it is come back', async () => {
    const body = await graphql(`
      {
        uiapi {
          query {
            Contact(where: { LastName: { eq: "Ada" } }) {
              edges {
                node {
                  Events(orderBy: { StartDateTime: { order: ASC } }) {
                    edges {
                      node {
                        Id
                      }
                    }
                    totalCount
                  }
                }
              }
            }
          }
        }
      }
    `);
    expect(body.errors).toBeUndefined();
    const ada = w.contacts[0]!;
    const expected = await soqlIds(`SELECT Id FROM Event WHERE WhoId = '${ada}' ORDER BY StartDateTime ASC`);
    expect(nodes(nodes(body.data.uiapi.query.Contact)[0].Events).map((n) => n.Id)).toEqual(expected);
    expect(expected).toEqual([w.events.e1, w.events.e3]);
  });
});

describe('field merging', () => {
  it('when the same connection is asked twice, then it is answered once; two different fields under one alias are a ValidationError', async () => {
    const twice = await graphql(
      '{ uiapi { query { Event(first: 1) { totalCount } } } uiapi { query { Event(first: 1) { totalCount } Account { totalCount } } } }',
    );
    expect(twice.errors).toBeUndefined();
    expect(Object.keys(twice.data.uiapi.query).sort()).toEqual(['Account', 'Event']);
    expect(twice.data.uiapi.query.Event.totalCount).toBeGreaterThan(0);

    const clash = await graphql('{ uiapi { query { x: Event { totalCount } x: Account { totalCount } } } }');
    expect(clash.data).toBeUndefined();
    expect(clash.errors[0].message).toMatch(/FieldsConflict/);
  });
});

describe('upper-bound paging', () => {
  it('when upperBound is given, then first must be 200 to 2000 and no record past the bound is reachable', async () => {
    const small = await graphql('{ uiapi { query { Account(first: 5, upperBound: 3) { totalCount } } } }');
    expect(small.errors[0].message).toMatch(/with upperBound, argument 'first' must be from 200 to 2000/);
    const bounded = await graphql(
      '{ uiapi { query { Account(first: 200, upperBound: 3) { edges { node { Id } } pageInfo { hasNextPage } } } } }',
    );
    expect(bounded.data.uiapi.query.Account.edges).toHaveLength(3);
    expect(bounded.data.uiapi.query.Account.pageInfo.hasNextPage).toBe(false);
  });
});
