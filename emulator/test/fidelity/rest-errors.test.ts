/**
 * Probes of the REST API's envelope: versions, resources, authentication errors, the limit header and
 * the daily limit. Each states the Salesforce page it follows and sends raw HTTP, as any client would.
 */
import type { LocalOrg } from '../../src/index.ts';
import { client, passwordToken, startLoggedIn, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());
afterEach(() => {
  org.setKnobs({ dailyApiLimit: 15000 });
});

const NOT_FOUND = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];
const INVALID_SESSION = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];

describe('versions and resources', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
  it('when /services/data is asked without a token, then every version 31.0–66.0 is listed as {label,url,version}', async () => {
    const res = await fetch(`${org.url}/services/data`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const list = (await res.json()) as { label: string; url: string; version: string }[];
    expect(list.map((v) => v.version)).toEqual(Array.from({ length: 36 }, (_, i) => `${31 + i}.0`));
    for (const v of list) {
      expect(Object.keys(v).sort()).toEqual(['label', 'url', 'version']);
      expect(v.url).toBe(`/services/data/v${v.version}`);
    }
    expect(list[0]?.label).toBe("Summer '14");
    expect(list.at(-1)?.label).toBe("Spring '26");
    // a doubled slash (a client joining a base URL that ends in /) reaches the same list
    expect(await (await fetch(`${org.url}//services/data`)).json()).toEqual(list);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.securityImplGuide.meta/securityImplGuide/api_rest_eol.htm
  // "If you request any resource or use an operation from a retired API version, REST API returns the
  // 410:GONE error code." Versions 7.0–30.0 are retired.
  it('when a retired version (30.0, 20.0, 7.0) is used, then 410 GONE', async () => {
    for (const v of ['30.0', '21.0', '20.0', '7.0']) {
      const res = await call('GET', `/services/data/v${v}/sobjects`);
      expect([v, res.status, res.body[0].errorCode]).toEqual([v, 410, 'GONE']);
    }
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
  it('when a version that never existed (99.0) or an unknown resource is asked, then 404 NOT_FOUND', async () => {
    for (const path of [
      '/services/data/v99.0/sobjects',
      `${V}/nothingHere`,
      `${V}/sobjects/NoSuchThing__c`,
    ]) {
      const res = await call('GET', path);
      expect([path, res.status, res.body]).toEqual([path, 404, NOT_FOUND]);
    }
    // an unknown object's describe and a record id that names no record: 404 NOT_FOUND too
    for (const path of [`${V}/sobjects/Nope__c/describe`, `${V}/sobjects/Account/001000000000000AAA`]) {
      const res = await call('GET', path);
      expect([path, res.status, res.body[0].errorCode]).toEqual([path, 404, 'NOT_FOUND']);
    }
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm
  it('when a version root is asked, then a map of resource names to their URLs for that version', async () => {
    const res = await call('GET', '/services/data/v58.0');
    expect(res.status).toBe(200);
    for (const name of ['sobjects', 'query', 'queryAll', 'search', 'composite', 'limits']) {
      expect(res.body[name]).toBe(`/services/data/v58.0/${name}`);
    }
  });
});

describe('methods', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
  // (sObject Rows: HEAD, GET, PATCH, DELETE), https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (405)
  it('when a record is sent PUT, then 405 METHOD_NOT_ALLOWED listing the methods the resource takes', async () => {
    const { body } = await call('POST', `${V}/sobjects/Account`, { Name: 'Methods' });
    const res = await call('PUT', `${V}/sobjects/Account/${body.id}`, { Name: 'x' });
    expect(res.status).toBe(405);
    expect(res.body).toEqual([
      {
        message: "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,PATCH,DELETE",
        errorCode: 'METHOD_NOT_ALLOWED',
      },
    ]);
    // the same for an object's resource, which takes GET and POST
    const onObject = await call('PUT', `${V}/sobjects/Account`, {});
    expect([onObject.status, onObject.body[0].errorCode]).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });

  it('when a record is asked with HEAD, then the GET status and headers without a body', async () => {
    const { body } = await call('POST', `${V}/sobjects/Account`, { Name: 'Head' });
    const res = await fetch(`${org.url}${V}/sobjects/Account/${body.id}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${await passwordToken(org)}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=/);
  });
});

describe('authentication', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (401)
  it('when no token, a malformed token or an unknown token is sent, then 401 INVALID_SESSION_ID', async () => {
    for (const auth of [undefined, 'Bearer junk', 'Bearer 00D000000000000!nothing']) {
      const res = await fetch(`${org.url}${V}/sobjects`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(INVALID_SESSION);
    }
  });

  it('when the access token has expired, then 401 INVALID_SESSION_ID', async () => {
    const token = await passwordToken(org);
    org.expireTokens();
    const res = await client(org, token)('GET', `${V}/limits`);
    expect([res.status, res.body]).toEqual([401, INVALID_SESSION]);
    call = client(org, await passwordToken(org));
  });
});

describe('limits', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
  it('when any call succeeds or fails, then Sforce-Limit-Info carries api-usage=used/limit', async () => {
    for (const path of [`${V}/limits`, `${V}/sobjects/Nope`, `${V}/query?q=SELEC`]) {
      const res = await call('GET', path);
      expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    }
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
  it('when /limits is read, then DailyApiRequests is {Max, Remaining} counted against the org', async () => {
    const res = await call('GET', `${V}/limits`);
    const used = Number(/api-usage=(\d+)\//.exec(res.headers.get('sforce-limit-info') ?? '')?.[1]);
    expect(res.body.DailyApiRequests).toEqual({ Max: 15000, Remaining: 15000 - used });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm — the limit labels
  // the page's table lists for every org (Analytics, Email, API, Bulk, Streaming, Workflow, storage).
  it('when /limits is read, then every limit the Limits page lists is there as {Max, Remaining}', async () => {
    const res = await call('GET', `${V}/limits`);
    const documented = [
      'ConcurrentAsyncGetReportInstances',
      'ConcurrentSyncReportRuns',
      'HourlyAsyncReportRuns',
      'HourlySyncReportRuns',
      'HourlyDashboardRefreshes',
      'HourlyDashboardResults',
      'HourlyDashboardStatuses',
      'MassEmail',
      'SingleEmail',
      'DailyApiRequests',
      'DailyAsyncApexExecutions',
      'DailyBulkApiBatches',
      'DailyBulkV2QueryJobs',
      'DailyBulkV2QueryFileStorageMB',
      'DailyStreamingApiEvents',
      'DailyDurableStreamingApiEvents',
      'StreamingApiConcurrentClients',
      'DurableStreamingApiConcurrentClients',
      'DailyGenericStreamingApiEvents',
      'DailyDurableGenericStreamingApiEvents',
      'DailyWorkflowEmails',
      'HourlyTimeBasedWorkflow',
      'HourlyODataCallout',
      'DataStorageMB',
      'FileStorageMB',
    ];
    for (const name of documented)
      expect([name, res.body[name]]).toEqual([
        name,
        { Max: expect.any(Number), Remaining: expect.any(Number) },
      ]);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (403 REQUEST_LIMIT_EXCEEDED;
  // the message is the one real orgs send)
  it('when the daily limit is used up, then 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded."', async () => {
    org.setKnobs({ dailyApiLimit: 1 });
    const res = await call('GET', `${V}/limits`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/1$/);
  });
});
