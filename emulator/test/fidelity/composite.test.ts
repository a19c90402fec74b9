/**
 * Probes of the composite resources: composite (limits, allOrNone, references), composite graph and
 * sObject Collections. Each states the Salesforce page it follows.
 */
import type { LocalOrg } from '../../src/index.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());

const count = async (soql: string): Promise<number> =>
  (await call('GET', `${V}/query?q=${encodeURIComponent(soql)}`)).body.totalSize as number;
const account = (referenceId: string, body: Json) => ({
  method: 'POST',
  url: `${V}/sobjects/Account`,
  referenceId,
  body,
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
describe('composite', () => {
  it('when more than 25 subrequests are sent, then 400 and none of them runs', async () => {
    const subrequests = Array.from({ length: 26 }, (_, i) => account(`a${i}`, { Name: 'TooMany' }));
    const res = await call('POST', `${V}/composite`, { compositeRequest: subrequests });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({
      errorCode: expect.any(String),
      message: expect.stringContaining('25'),
    });
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'TooMany'")).toBe(0);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_subrequest_result.htm
  it('when allOrNone and one subrequest fails, then 200, the failure reported and the others PROCESSING_HALTED, nothing kept', async () => {
    const res = await call('POST', `${V}/composite`, {
      allOrNone: true,
      compositeRequest: [
        account('good', { Name: 'Rolled Back' }),
        {
          method: 'POST',
          url: `${V}/sobjects/Contact`,
          referenceId: 'bad',
          body: { AccountId: '@{good.id}' },
        },
      ],
    });
    expect(res.status).toBe(200);
    const [good, bad] = res.body.compositeResponse;
    expect(good).toMatchObject({
      referenceId: 'good',
      httpStatusCode: 400,
      body: [{ errorCode: 'PROCESSING_HALTED' }],
    });
    expect(bad).toMatchObject({
      referenceId: 'bad',
      httpStatusCode: 400,
      body: [{ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }],
    });
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Rolled Back'")).toBe(0);
  });

  it('when a subrequest refers to a failed one, then it is not run and answers PROCESSING_HALTED; a success carries Location', async () => {
    const res = await call('POST', `${V}/composite`, {
      compositeRequest: [
        account('kept', { Name: 'Kept' }),
        account('failed', {}),
        { method: 'GET', url: `${V}/sobjects/Account/@{failed.id}`, referenceId: 'dependent' },
      ],
    });
    const [kept, , dependent] = res.body.compositeResponse;
    expect(kept).toMatchObject({
      httpStatusCode: 201,
      body: { id: expect.stringMatching(/^001/), success: true, errors: [] },
      httpHeaders: { Location: `${V}/sobjects/Account/${kept.body.id}` },
    });
    expect(dependent).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph.htm,
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm
describe('composite graph', () => {
  it('when one graph fails, then it alone is rolled back and each graph reports isSuccessful with its graphResponse', async () => {
    const res = await call('POST', `${V}/composite/graph`, {
      graphs: [
        { graphId: 'g1', compositeRequest: [account('a', { Name: 'Graph One' })] },
        { graphId: 'g2', compositeRequest: [account('a', { Name: 'Graph Two' }), account('b', {})] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.graphs.map((g: Json) => [g.graphId, g.isSuccessful])).toEqual([
      ['g1', true],
      ['g2', false],
    ]);
    expect(res.body.graphs[0].graphResponse.compositeResponse[0].httpStatusCode).toBe(201);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Graph One'")).toBe(1);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Graph Two'")).toBe(0);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm
  // (graphId: unique, begins with an alphanumeric character)
  it('when graphIds repeat or begin with a non-alphanumeric, then 400; one with a hyphen after the first character is fine', async () => {
    const one = (graphId: string) => ({ graphId, compositeRequest: [account('a', { Name: 'Graph Ids' })] });
    const dup = await call('POST', `${V}/composite/graph`, { graphs: [one('g1'), one('g1')] });
    expect(dup.status).toBe(400);
    const leading = await call('POST', `${V}/composite/graph`, { graphs: [one('-g')] });
    expect(leading.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Graph Ids'")).toBe(0);
    const hyphen = await call('POST', `${V}/composite/graph`, { graphs: [one('meeting-1')] });
    expect(hyphen.body.graphs[0]).toMatchObject({ graphId: 'meeting-1', isSuccessful: true });
  });

  // 15 levels at most: a chain of 16 dependent nodes is refused whole.
  it('when a graph is deeper than 15, then 400 and nothing is created', async () => {
    const chain = Array.from({ length: 16 }, (_, i) =>
      account(`d${i}`, { Name: 'Too Deep', ...(i > 0 ? { ParentId: `@{d${i - 1}.id}` } : {}) }),
    );
    const res = await call('POST', `${V}/composite/graph`, {
      graphs: [{ graphId: 'deep', compositeRequest: chain }],
    });
    expect(res.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Too Deep'")).toBe(0);
    // A reference in a node's URL deepens the graph as one in its body does.
    const byUrl = await call('POST', `${V}/composite/graph`, {
      graphs: [
        {
          graphId: 'deepUrl',
          compositeRequest: [
            ...chain.slice(0, 15),
            {
              method: 'PATCH',
              url: `${V}/sobjects/Account/@{d14.id}`,
              referenceId: 'rename',
              body: { Name: 'X' },
            },
          ],
        },
      ],
    });
    expect(byUrl.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Too Deep'")).toBe(0);
    // 15 levels exactly are accepted and written, each Account the parent of the next.
    const fifteen = chain
      .slice(0, 15)
      .map((node) => ({ ...node, body: { ...node.body, Name: 'Deep Enough' } }));
    const ok = await call('POST', `${V}/composite/graph`, {
      graphs: [{ graphId: 'deep', compositeRequest: fifteen }],
    });
    expect(ok.body.graphs[0].isSuccessful).toBe(true);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Deep Enough' AND ParentId != null")).toBe(
      14,
    );
  });

  it('when a graph has more than 500 nodes, then 400 and nothing is created', async () => {
    const nodes = Array.from({ length: 501 }, (_, i) => account(`n${i}`, { Name: 'Big Graph' }));
    const res = await call('POST', `${V}/composite/graph`, {
      graphs: [{ graphId: 'big', compositeRequest: nodes }],
    });
    expect(res.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Big Graph'")).toBe(0);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm
describe('composite graph payload limits', () => {
  const graph = (graphId: string, nodes: number) => ({
    graphId,
    compositeRequest: Array.from({ length: nodes }, (_, i) => account(`n${i}`, { Name: 'Payload Limit' })),
  });

  it('when the graphs together hold more than 500 nodes, then 400 even though each graph is under 500', async () => {
    const res = await call('POST', `${V}/composite/graph`, { graphs: [graph('g1', 251), graph('g2', 251)] });
    expect(res.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Payload Limit'")).toBe(0);
  });

  it('when more than 75 graphs are sent, then 400 and nothing is created', async () => {
    const graphs = Array.from({ length: 76 }, (_, i) => graph(`g${i}`, 1));
    const res = await call('POST', `${V}/composite/graph`, { graphs });
    expect(res.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Payload Limit'")).toBe(0);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
describe('sObject Collections', () => {
  const records = (n: number, name: string | undefined) =>
    Array.from({ length: n }, () => ({ attributes: { type: 'Account' }, ...(name ? { Name: name } : {}) }));

  it('when more than 200 records are sent, then 400 EXCEEDED_ID_LIMIT and nothing is created', async () => {
    const res = await call('POST', `${V}/composite/sobjects`, { records: records(201, 'Too Many Rows') });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Too Many Rows'")).toBe(0);
  });

  it('when allOrNone is false, then each record has its own SaveResult with statusCode errors', async () => {
    const res = await call('POST', `${V}/composite/sobjects`, {
      records: [...records(1, 'Partial'), ...records(1, undefined)],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: expect.stringMatching(/^001/), success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [Name]',
            fields: ['Name'],
          },
        ],
      },
    ]);
  });

  it('when allOrNone is true and a record fails, then the others report ALL_OR_NONE_OPERATION_ROLLED_BACK and none is kept', async () => {
    const res = await call('POST', `${V}/composite/sobjects`, {
      allOrNone: true,
      records: [...records(1, 'All Or None'), ...records(1, undefined)],
    });
    expect(res.body[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(res.body[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }],
    });
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'All Or None'")).toBe(0);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
describe('sObject Collections update', () => {
  it('when records are updated with the id under either case (id or Id), then each is updated', async () => {
    const [a, b] = org.seed('Account', [{ Name: 'Upd A' }, { Name: 'Upd B' }]);
    const res = await call('PATCH', `${V}/composite/sobjects`, {
      records: [
        { attributes: { type: 'Account' }, id: a, Name: 'Upd A2' },
        { attributes: { type: 'Account' }, Id: b, Name: 'Upd B2' },
      ],
    });
    expect(res.body).toEqual([
      { id: a, success: true, errors: [] },
      { id: b, success: true, errors: [] },
    ]);
    expect(await count("SELECT COUNT() FROM Account WHERE Name IN ('Upd A2', 'Upd B2')")).toBe(2);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
describe('sObject Collections upsert', () => {
  const event = (meetingId: string, subject: string) => ({
    attributes: { type: 'Event' },
    Salescaling_Meeting_Id__c: meetingId,
    Subject: subject,
    StartDateTime: '2026-06-01T10:00:00.000+0000',
    DurationInMinutes: 30,
  });
  const path = `${V}/composite/sobjects/Event/Salescaling_Meeting_Id__c`;

  it('when records are upserted by an external id, then UpsertResults with created true, then false for the same keys', async () => {
    const first = await call('PATCH', path, { records: [event('cu-1', 'One'), event('cu-2', 'Two')] });
    expect(first.status).toBe(200);
    expect(first.body).toEqual([
      { id: expect.stringMatching(/^00U/), success: true, errors: [], created: true },
      { id: expect.stringMatching(/^00U/), success: true, errors: [], created: true },
    ]);
    const second = await call('PATCH', path, { records: [event('cu-1', 'One again')] });
    expect(second.body).toEqual([{ id: first.body[0].id, success: true, errors: [], created: false }]);
    expect(await count("SELECT COUNT() FROM Event WHERE Salescaling_Meeting_Id__c IN ('cu-1', 'cu-2')")).toBe(
      2,
    );
  });

  it('when the field is not an external id, then 404 NOT_FOUND; before API 46.0 the resource does not exist', async () => {
    const notExternal = await call('PATCH', `${V}/composite/sobjects/Event/Subject`, {
      records: [event('cu-3', 'x')],
    });
    expect([notExternal.status, notExternal.body[0].errorCode]).toEqual([404, 'NOT_FOUND']);
    const old = await call('PATCH', path.replace(V, '/services/data/v45.0'), {
      records: [event('cu-3', 'x')],
    });
    expect(old.status).toBe(404);
    expect(await count("SELECT COUNT() FROM Event WHERE Salescaling_Meeting_Id__c = 'cu-3'")).toBe(0);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm,
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_subrequest_result.htm
describe('composite response shapes', () => {
  it('when subrequests create, query, update by a query reference and read, then each entry is {body, httpHeaders, httpStatusCode, referenceId}', async () => {
    const [seeded] = org.seed('Account', [{ Name: 'Composite Shape Seed' }]);
    const res = await call('POST', `${V}/composite`, {
      compositeRequest: [
        account('created', { Name: 'Composite Shape New' }),
        {
          method: 'GET',
          url: `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Composite Shape Seed'")}`,
          referenceId: 'found',
        },
        {
          method: 'PATCH',
          url: `${V}/sobjects/Account/@{found.records[0].Id}`,
          referenceId: 'renamed',
          body: { Name: 'Composite Shape Renamed' },
        },
        { method: 'GET', url: `${V}/sobjects/Account/@{created.id}?fields=Name`, referenceId: 'read' },
      ],
    });
    expect(res.status).toBe(200);
    const [created, found, renamed, read] = res.body.compositeResponse;
    expect(created).toEqual({
      body: { id: expect.stringMatching(/^001/), success: true, errors: [] },
      httpHeaders: { Location: `${V}/sobjects/Account/${created.body.id}` },
      httpStatusCode: 201,
      referenceId: 'created',
    });
    expect(found).toMatchObject({
      httpStatusCode: 200,
      referenceId: 'found',
      body: { totalSize: 1, done: true },
    });
    expect(found.body.records[0].Id).toBe(seeded);
    expect(renamed).toEqual({ body: null, httpHeaders: {}, httpStatusCode: 204, referenceId: 'renamed' });
    expect(read).toMatchObject({ httpStatusCode: 200, body: { Name: 'Composite Shape New' } });
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Composite Shape Renamed'")).toBe(1);
  });

  it('when collateSubrequests is false, then the subrequests still run in order with the same response shape', async () => {
    const res = await call('POST', `${V}/composite`, {
      collateSubrequests: false,
      compositeRequest: [account('only', { Name: 'Composite Uncollated' })],
    });
    expect(res.status).toBe(200);
    expect(res.body.compositeResponse).toEqual([
      expect.objectContaining({ httpStatusCode: 201, referenceId: 'only' }),
    ]);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm
describe('composite batch', () => {
  it('when subrequests run, then {hasErrors, results: [{statusCode, result}]}, a 204 with a null result', async () => {
    const [id] = org.seed('Account', [{ Name: 'Batch Shape' }]);
    const res = await call('POST', `${V}/composite/batch`, {
      batchRequests: [
        { method: 'PATCH', url: `v66.0/sobjects/Account/${id}`, richInput: { Name: 'Batch Shape Renamed' } },
        { method: 'GET', url: `v66.0/sobjects/Account/${id}?fields=Name` },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      hasErrors: false,
      results: [
        { statusCode: 204, result: null },
        {
          statusCode: 200,
          result: {
            attributes: { type: 'Account', url: `${V}/sobjects/Account/${id}` },
            Name: 'Batch Shape Renamed',
          },
        },
      ],
    });
  });

  it('when one subrequest fails, then hasErrors is true and the failure carries its error list; the rest run', async () => {
    const res = await call('POST', `${V}/composite/batch`, {
      batchRequests: [
        { method: 'POST', url: 'v66.0/sobjects/Account', richInput: {} },
        { method: 'POST', url: 'v66.0/sobjects/Account', richInput: { Name: 'Batch After Failure' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.hasErrors).toBe(true);
    expect(res.body.results[0]).toEqual({
      statusCode: 400,
      result: [expect.objectContaining({ errorCode: 'REQUIRED_FIELD_MISSING' })],
    });
    expect(res.body.results[1]).toMatchObject({ statusCode: 201, result: { success: true } });
  });

  it('when haltOnError and a subrequest fails, then the later ones answer 412 BATCH_PROCESSING_HALTED', async () => {
    const res = await call('POST', `${V}/composite/batch`, {
      haltOnError: true,
      batchRequests: [
        { method: 'POST', url: 'v66.0/sobjects/Account', richInput: {} },
        { method: 'POST', url: 'v66.0/sobjects/Account', richInput: { Name: 'Batch Halted' } },
      ],
    });
    expect(res.body.results[1]).toEqual({
      statusCode: 412,
      result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: expect.any(String) }],
    });
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Batch Halted'")).toBe(0);
  });

  it('when more than 25 subrequests are sent, then 400 and none runs', async () => {
    const res = await call('POST', `${V}/composite/batch`, {
      batchRequests: Array.from({ length: 26 }, () => ({
        method: 'POST',
        url: 'v66.0/sobjects/Account',
        richInput: { Name: 'Batch Too Many' },
      })),
    });
    expect(res.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Batch Too Many'")).toBe(0);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm
describe('sObject Tree', () => {
  const tree = (referenceId: string, body: Json) => ({
    attributes: { type: 'Account', referenceId },
    ...body,
  });

  it('when a tree is created, then 201 {hasErrors: false, results: [{referenceId, id}]} for parents and children', async () => {
    const res = await call('POST', `${V}/composite/tree/Account`, {
      records: [
        tree('acc1', {
          Name: 'Tree Parent',
          Contacts: {
            records: [{ attributes: { type: 'Contact', referenceId: 'con1' }, LastName: 'Tree Child' }],
          },
        }),
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      hasErrors: false,
      results: [
        { referenceId: 'acc1', id: expect.stringMatching(/^001/) },
        { referenceId: 'con1', id: expect.stringMatching(/^003/) },
      ],
    });
  });

  it('when a record fails, then 400 {hasErrors: true, results: [{referenceId, errors: [{statusCode, message, fields}]}]} and nothing is kept', async () => {
    const res = await call('POST', `${V}/composite/tree/Account`, {
      records: [tree('good', { Name: 'Tree Rolled Back' }), tree('bad', {})],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      hasErrors: true,
      results: [
        {
          referenceId: 'bad',
          errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: expect.any(String), fields: ['Name'] }],
        },
      ],
    });
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Tree Rolled Back'")).toBe(0);
  });

  it('when a tree is deeper than five levels, then 400 and nothing is created; five levels are fine', async () => {
    const nested = (name: string, depth: number, level = 1): Json =>
      tree(`${name}${level}`, {
        Name: name,
        ...(level < depth ? { ChildAccounts: { records: [nested(name, depth, level + 1)] } } : {}),
      });
    const five = await call('POST', `${V}/composite/tree/Account`, { records: [nested('TreeFive', 5)] });
    expect(five.status).toBe(201);
    expect(five.body.results).toHaveLength(5);
    const six = await call('POST', `${V}/composite/tree/Account`, { records: [nested('TreeSix', 6)] });
    expect(six.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'TreeSix'")).toBe(0);
  });

  it('when more than 200 records are sent, then 400 and nothing is created', async () => {
    const res = await call('POST', `${V}/composite/tree/Account`, {
      records: Array.from({ length: 201 }, (_, i) => tree(`r${i}`, { Name: 'Tree Too Many' })),
    });
    expect(res.status).toBe(400);
    expect(await count("SELECT COUNT() FROM Account WHERE Name = 'Tree Too Many'")).toBe(0);
  });
});
