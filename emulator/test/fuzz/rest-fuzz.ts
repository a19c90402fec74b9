/**
 * Fuzzing the local org's REST surface over HTTP, as a client meets it: record bodies (every field
 * type given values of every JSON type, lengths across the limit, unknown fields, nulls, unicode), ids
 * (15/18 characters, wrong checksums, wrong prefixes), URL segments, composite bodies, and SOQL/SOSL
 * from the grammar fuzzers. The org must never answer 5xx, every error is Salesforce's body
 * `[{"message","errorCode","fields"?}]`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm), and a
 * record the org accepted holds what was sent.
 */
import fc from 'fast-check';
import { Org } from '../../src/org/org.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';
import type { LocalOrg } from '../../src/index.ts';
import {
  checkAsync,
  type FuzzParams,
  type FuzzProperty,
  isErrorBody,
  PRINTABLE,
  textChar,
} from './common.ts';
import { wideQuery, mutate } from './soql-fuzz.ts';

interface Field {
  name: string;
  type: string;
  length: number;
  createable: boolean;
  updateable: boolean;
}

/** Every createable object of the local org (its global describe). */
const OBJECTS = [
  'Account',
  'Contact',
  'ContentDocumentLink',
  'ContentNote',
  'Event',
  'EventRelation',
  'Lead',
  'Opportunity',
  'OpportunityContactRole',
  'Task',
  'TaskRelation',
  'User',
];

/**
 * A status the org may answer with, and (for JSON errors) Salesforce's error body, or the sObject
 * Tree's documented `{hasErrors: true, results}`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm).
 */
function checkReply(what: string, res: { status: number; body: unknown }): void {
  if (res.status >= 500) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  const treeErrors = (res.body as { hasErrors?: unknown } | undefined)?.hasErrors === true;
  if (res.status >= 400 && res.body !== undefined && !isErrorBody(res.body) && !treeErrors) {
    throw new Error(
      `${what}: ${res.status} body is not Salesforce's error shape: ${JSON.stringify(res.body)}`,
    );
  }
}

/** Sends raw text (bodies that are not JSON, or not what the client helper would serialise). */
async function raw(
  org: LocalOrg,
  token: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${org.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (an HTML or text page): only the status is checked.
    parsed = undefined;
  }
  return { status: res.status, body: parsed };
}

/** A value of any JSON type, biased toward the field's own type and its length limit. */
function valueFor(f: Field, refs: readonly string[] = []): fc.Arbitrary<unknown> {
  const text = (max: number) => fc.string({ unit: textChar, maxLength: max });
  const anything = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(1e300, -0, 0.1, 2 ** 53 + 1),
    text(20),
    fc.constantFrom(
      '',
      ' ',
      'null',
      'true',
      '2026-02-30',
      '2026-11-24T25:00:00Z',
      '001000000000000AAA',
      '😀'.repeat(200),
    ),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'Id', 'attributes'), fc.integer(), { maxKeys: 2 }),
  );
  let typed: fc.Arbitrary<unknown>;
  switch (f.type) {
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'multipicklist':
    case 'combobox': {
      const len = f.length > 0 ? f.length : 255;
      typed = fc.oneof(
        { weight: 4, arbitrary: text(Math.min(len, 30)) },
        // Just under, at and over the limit, in characters that take two UTF-16 units or several bytes.
        fc
          .constantFrom(len - 1, len, len + 1)
          .chain((n) => fc.constantFrom('a', 'é', '😀', '中').map((c) => c.repeat(Math.max(0, n)))),
      );
      break;
    }
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      typed = fc.oneof(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.double({ noNaN: true, min: -1e9, max: 1e9 }),
        fc.constantFrom('12', '1e3', 1e20),
      );
      break;
    case 'boolean':
      typed = fc.oneof(fc.boolean(), fc.constantFrom('true', 'FALSE', 1, 0));
      break;
    case 'date':
      typed = fc.oneof(
        fc
          .date({ min: new Date('1700-01-01'), max: new Date('4000-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
        fc.constantFrom('2026-02-29', '2026-13-01', '24/11/2026'),
      );
      break;
    case 'datetime':
      typed = fc.oneof(
        fc
          .date({ min: new Date('1700-01-01'), max: new Date('4000-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        fc.constantFrom(
          '2026-11-24T10:00:00+05:30',
          '2026-11-24T10:00:00.000+0000',
          '2026-11-24',
          'yesterday',
        ),
      );
      break;
    case 'base64':
      typed = fc.oneof(
        fc.string({ unit: textChar, maxLength: 40 }).map((t) => Buffer.from(t).toString('base64')),
        fc.constantFrom('', '====', 'not base64!', 'YQ', 'YQ==\n', '\u0000'),
      );
      break;
    case 'reference':
      typed = fc.constantFrom(
        // Records that exist (so that more bodies are accepted), then ids that do not.
        ...refs,
        ...refs.map((id) => id.slice(0, 15)),
        '001000000000000',
        '001000000000000AAA',
        '005000000000000AAA',
        'abc',
        '00Q-00000000000',
      );
      break;
    default:
      typed = anything;
  }
  return fc.oneof({ weight: 8, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

/** A record body: some of the object's fields, unknown fields, `attributes`, odd field-name cases. */
function recordBody(
  fields: readonly Field[],
  forUpdate: boolean,
  refs: readonly string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  const usable = fields.filter((f) => (forUpdate ? f.updateable : f.createable));
  const pool = usable.length ? usable : fields;
  return fc
    .tuple(
      fc
        .uniqueArray(fc.constantFrom(...pool), { maxLength: 6, selector: (f) => f.name })
        .chain((fs) => fc.tuple(...fs.map((f) => valueFor(f, refs).map((v) => [f, v] as const)))),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(null) },
        fc.constantFrom(
          'Nope__c',
          'name',
          'NAME',
          'Id',
          'attributes',
          'IsDeleted',
          'CreatedDate',
          '',
          'a.b',
          '😀',
        ),
      ),
      fc.option(valueFor({ name: 'x', type: 'unknown', length: 0, createable: true, updateable: true })),
      fc.boolean(),
    )
    .map(([pairs, extra, extraValue, requiredName]) => {
      const body: Record<string, unknown> = {};
      // Usually the fields most objects require, so that more bodies get past the required check.
      if (requiredName) {
        const defaults: Record<string, unknown> = {
          Name: 'Fuzz-1',
          LastName: 'Fuzz-1',
          Company: 'Fuzz-1',
          Subject: 'Fuzz-1',
          StageName: 'Prospecting',
          CloseDate: '2026-12-01',
          DurationInMinutes: 30,
          ActivityDateTime: '2026-12-01T10:00:00Z',
        };
        for (const f of pool) if (defaults[f.name] !== undefined) body[f.name] = defaults[f.name];
      }
      for (const [f, v] of pairs) body[f.name] = v;
      if (extra !== null) body[extra] = extraValue;
      return body;
    });
}

async function describeFields(call: Call, name: string): Promise<Field[]> {
  const res = await call<Json>('GET', `${V}/sobjects/${name}/describe`);
  return (res.body.fields as Field[]).map((f) => ({ ...f }));
}

const CHECK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** The 18-character form of a 15-character id (the documented checksum), to build wrong ones. */
function to18(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[block * 5 + i]!;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECK_ALPHABET[bits];
  }
  return id15 + suffix;
}

/** Ids of every kind: the record's own (15/18), wrong checksums and case, other prefixes, garbage. */
function idVariants(real: readonly string[]): fc.Arbitrary<string> {
  const own = fc.constantFrom(...real);
  return fc.oneof(
    own,
    own.map((id) => id.slice(0, 15)),
    own.map((id) => id.slice(0, 15) + (id.endsWith('AAA') ? 'BBB' : 'AAA')),
    own.map((id) => id.slice(0, 15).toLowerCase()),
    own.map((id) => `003${id.slice(3, 15)}`),
    own.map((id) => to18(`00Q${id.slice(3, 15)}`)),
    own.map((id) => id.slice(0, 14)),
    own.map((id) => `${id}0`),
    fc.string({ unit: textChar, maxLength: 20 }),
    fc.constantFrom(
      '000000000000000',
      '000000000000000AAA',
      'null',
      'undefined',
      '..',
      '%',
      '%2F',
      'describe',
      'deleted',
      ' ',
    ),
  );
}

async function withOrg<T>(fn: (ctx: { org: LocalOrg; token: string; call: Call }) => Promise<T>): Promise<T> {
  const ctx = await startLoggedIn({ knobs: { dailyApiLimit: 100_000_000, concurrentRequestLimit: 1000 } });
  try {
    const result = await fn(ctx);
    const unexpected = ctx.org.unexpectedErrors();
    if (unexpected.length > 0) throw new Error(`500 UNKNOWN_EXCEPTION: ${JSON.stringify(unexpected)}`);
    return result;
  } finally {
    await ctx.org.stop();
  }
}

const seg = (s: string) => encodeURIComponent(s);

/** Whether the text is valid UTF-16 (no lone surrogate), the only text a client can send as UTF-8. */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

export const restProperties: FuzzProperty[] = [
  {
    name: 'REST record bodies (types, lengths, unknown fields, nulls, unicode) are stored as sent or refused in Salesforce’s shape',
    runs: 150,
    run: (params: FuzzParams) =>
      withOrg(async ({ call, org }) => {
        const described = new Map<string, Field[]>();
        for (const name of OBJECTS) described.set(name, await describeFields(call, name));
        // Existing records of every kind a reference may point to.
        const [accountId] = org.seed('Account', [{ Name: 'Ref-1' }]);
        const [contactId] = org.seed('Contact', [{ LastName: 'Ref-1', AccountId: accountId }]);
        const [leadId] = org.seed('Lead', [{ LastName: 'Ref-1', Company: 'Ref-1' }]);
        const [opportunityId] = org.seed('Opportunity', [
          { Name: 'Ref-1', StageName: 'Prospecting', CloseDate: '2026-12-01' },
        ]);
        const [eventId] = org.seed('Event', [
          { Subject: 'Ref-1', StartDateTime: '2026-12-01T10:00:00Z', EndDateTime: '2026-12-01T11:00:00Z' },
        ]);
        const [noteId] = org.seed('ContentNote', [
          { Title: 'Ref-1', Content: Buffer.from('note').toString('base64') },
        ]);
        const refs = [accountId!, contactId!, leadId!, opportunityId!, eventId!, noteId!, org.userId];
        const arb = fc
          .constantFrom(...OBJECTS)
          .chain((name) =>
            fc.tuple(
              fc.constant(name),
              recordBody(described.get(name)!, false, refs),
              recordBody(described.get(name)!, true, refs),
            ),
          );
        await checkAsync(
          fc.asyncProperty(arb, async ([name, create, update]) => {
            const path = `${V}/sobjects/${name}`;
            const created = await call('POST', path, create);
            checkReply(`POST ${name} ${JSON.stringify(create)}`, created);
            if (created.status !== 201) return;
            const id = (created.body as { id: string }).id;
            // What the org accepted, it holds: every text field sent comes back as sent.
            const fields = described.get(name)!;
            // A name sent twice in different cases (`Name`, `NAME`) is left out: which one Salesforce
            // keeps is not documented (docs/local-org.md).
            const once = (k: string) =>
              Object.keys(create).filter((x) => x.toLowerCase() === k.toLowerCase()).length === 1;
            const texts = Object.entries(create).filter(([k, v]) => {
              const f = once(k) && fields.find((x) => x.name === k);
              return (
                f &&
                ['string', 'textarea', 'email', 'url'].includes(f.type) &&
                typeof v === 'string' &&
                v.trim() !== ''
              );
            });
            if (texts.length > 0) {
              const got = await call<Json>('GET', `${path}/${id}?fields=${texts.map(([k]) => k).join(',')}`);
              checkReply(`GET ${name}/${id}`, got);
              for (const [k, v] of texts) {
                if (got.body[k] !== v)
                  throw new Error(
                    `${name}.${k}: stored ${JSON.stringify(got.body[k])}, sent ${JSON.stringify(v)}`,
                  );
              }
            }
            checkReply(
              `PATCH ${name}/${id} ${JSON.stringify(update)}`,
              await call('PATCH', `${path}/${id}`, update),
            );
            const del = await call('DELETE', `${path}/${id}`);
            checkReply(`DELETE ${name}/${id}`, del);
          }),
          params,
        );
      }),
  },
  {
    name: 'REST ids (15/18 characters, wrong checksums, wrong prefixes, garbage) in every method never answer 5xx',
    runs: 200,
    run: (params) =>
      withOrg(async ({ call, org }) => {
        const accounts = org.seed('Account', [{ Name: 'Acme-1' }, { Name: "O'Brien" }]);
        const contacts = org.seed('Contact', [{ LastName: 'Ünïcødé', AccountId: accounts[0] }]);
        await checkAsync(
          fc.asyncProperty(
            idVariants([...accounts, ...contacts]),
            fc.constantFrom('GET', 'PATCH', 'DELETE', 'HEAD', 'PUT', 'POST'),
            fc.constantFrom('Account', 'Contact', 'account', 'Nope__c'),
            fc.constantFrom('', '?fields=Name', '?fields=Nope', '?fields=', '?fields=Name,Name'),
            async (id, method, object, suffix) => {
              const path = `${V}/sobjects/${object}/${seg(id)}${suffix}`;
              const res = await call(
                method,
                path,
                method === 'PATCH' || method === 'POST' ? { Name: 'x' } : undefined,
              );
              checkReply(`${method} ${path}`, res);
              // A 15-character id reads the same record as its 18-character form.
              const full = (res.body as { Id?: unknown } | undefined)?.Id;
              // (`describe`, `deleted`, … in the id's place are other resources, without an Id.)
              if (
                method === 'GET' &&
                res.status === 200 &&
                object === 'Account' &&
                typeof full === 'string'
              ) {
                if (full.slice(0, 15) !== id.slice(0, 15) || full.length !== 18)
                  throw new Error(`GET ${id} answered ${full}`);
              }
            },
          ),
          params,
        );
        // Still there, with their names: no fuzzed request damaged them without a 2xx.
        for (const id of accounts) checkReply(`GET ${id}`, await call('GET', `${V}/sobjects/Account/${id}`));
      }),
  },
  {
    name: 'REST URL segments and bodies of any shape on every resource never answer 5xx',
    runs: 300,
    run: (params) =>
      withOrg(async ({ org, token }) => {
        const segment = fc.oneof(
          fc.constantFrom(
            'sobjects',
            'query',
            'queryAll',
            'search',
            'parameterizedSearch',
            'limits',
            'composite',
            'batch',
            'tree',
            'graph',
            'describe',
            'updated',
            'deleted',
            'Account',
            'Contact',
            'Event',
            'User',
            'Name',
            'Id',
            'ContentVersion',
            'VersionData',
            'Body',
            'listviews',
            'quickActions',
            '',
            '.',
            '..',
            '%00',
            '%',
            '%E2%82',
            '😀',
            'a;b',
            'x?y',
          ),
          fc.string({ unit: textChar, maxLength: 8 }).map(seg),
          fc.constantFrom('001000000000000AAA', '001000000000000', '00Q000000000000'),
        );
        const body = fc.oneof(
          fc.constant(undefined),
          fc.json().map((j) => j),
          fc.constantFrom(
            '{',
            '[',
            'null',
            '""',
            '{"records":null}',
            '{"compositeRequest":{}}',
            '{"batchRequests":[{}]}',
            '\u0000',
            '{"a":1}{"b":2}',
          ),
        );
        // Headers the org reads, with values of any shape (header values are Latin-1 on the wire).
        const headerValue = fc.oneof(
          fc.constantFrom(
            'batchSize=abc',
            'batchSize=0',
            'batchSize=99999999999',
            'batchSize=',
            '1',
            'true',
            'Tue, 01 Dec 2026 00:00:00 GMT',
            'not a date',
            '*',
            '"x"',
          ),
          fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength: 12 }),
        );
        const headers = fc.dictionary(
          fc.constantFrom(
            'Sforce-Query-Options',
            'If-Modified-Since',
            'If-Unmodified-Since',
            'If-Match',
            'If-None-Match',
            'X-PrettyPrint',
            'Sforce-Auto-Assign',
            'Accept',
            'Content-Type',
            'Sforce-Call-Options',
          ),
          headerValue,
          { maxKeys: 3 },
        );
        await checkAsync(
          fc.asyncProperty(
            fc.array(segment, { maxLength: 4 }),
            fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD'),
            fc.constantFrom(
              '',
              '?q=',
              '?q=SELECT+Id+FROM+Account',
              '?start=2026-01-01T00:00:00Z&end=2026-12-01T00:00:00Z',
              '?fields=Id',
              '?q=%7Bx%7D',
              '?batchSize=0',
              '?%',
            ),
            body,
            headers,
            async (parts, method, query, b, h) => {
              const path = `${V}/${parts.join('/')}${query}`;
              checkReply(
                `${method} ${path} ${String(b)} ${JSON.stringify(h)}`,
                await raw(org, token, method, path, b, h),
              );
            },
          ),
          params,
        );
      }),
  },
  {
    name: 'REST composite, batch, tree, graph and collections bodies of any shape never answer 5xx, nor hold a 5xx inside',
    runs: 250,
    run: (params) =>
      withOrg(async ({ call, org }) => {
        const [accountId] = org.seed('Account', [{ Name: 'Parent-1' }]);
        const url = fc.oneof(
          fc.constantFrom(
            `${V}/sobjects/Account`,
            `${V}/sobjects/Account/${accountId!}`,
            `${V}/sobjects/Contact`,
            `${V}/query?q=SELECT+Id+FROM+Account`,
            `${V}/sobjects/Account/@{a.id}`,
            `${V}/composite/sobjects`,
            '/nope',
            `${V}/sobjects/Account/@{missing.id}`,
            'v66.0/sobjects/Account',
          ),
          fc.string({ unit: textChar, maxLength: 12 }),
        );
        const any = fc.oneof(
          fc.constant(null),
          fc.integer(),
          fc.string({ unit: textChar, maxLength: 6 }),
          fc.boolean(),
          fc.constant([]),
          fc.constant({}),
        );
        const record = fc.record(
          {
            attributes: fc.oneof(
              fc.record({
                type: fc.constantFrom('Account', 'Contact', 'Nope', ''),
                referenceId: fc.constantFrom('r1', 'r2', '', '😀'),
              }),
              any,
            ),
            Name: fc.oneof(fc.string({ unit: textChar, maxLength: 10 }), any),
            LastName: fc.string({ unit: textChar, maxLength: 10 }),
            AccountId: fc.constantFrom('@{a.id}', accountId!, 'x'),
            Contacts: fc.oneof(
              fc.record({
                records: fc.array(
                  fc.record({
                    attributes: fc.record({
                      type: fc.constant('Contact'),
                      referenceId: fc.constantFrom('c1', 'c2'),
                    }),
                    LastName: fc.constant('C'),
                  }),
                  { maxLength: 2 },
                ),
              }),
              any,
            ),
          },
          { requiredKeys: [] },
        );
        const sub = fc.record(
          {
            method: fc.oneof(fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'get'), any),
            url: fc.oneof(url, any),
            referenceId: fc.oneof(fc.constantFrom('a', 'b', 'a', '', '1a', 'a b'), any),
            body: fc.oneof(record, any),
            httpHeaders: fc.oneof(fc.constant({ 'If-Match': 'x' }), any),
          },
          { requiredKeys: [] },
        );
        const bodies: fc.Arbitrary<[string, string, unknown]> = fc.oneof(
          fc
            .record(
              {
                allOrNone: fc.oneof(fc.boolean(), any),
                collateSubrequests: fc.oneof(fc.boolean(), any),
                compositeRequest: fc.oneof(fc.array(sub, { maxLength: 5 }), any),
              },
              { requiredKeys: [] },
            )
            .map((b) => ['POST', `${V}/composite`, b] as [string, string, unknown]),
          fc
            .record(
              {
                haltOnError: fc.oneof(fc.boolean(), any),
                batchRequests: fc.oneof(
                  fc.array(
                    fc.record(
                      {
                        method: fc.oneof(fc.constantFrom('GET', 'PATCH', 'POST'), any),
                        url: fc.oneof(
                          fc.constantFrom(
                            'v66.0/sobjects/Account',
                            `v66.0/sobjects/Account/${accountId!}`,
                            'v66.0/query?q=SELECT+Id+FROM+Account',
                            'v66.0/nope',
                          ),
                          any,
                        ),
                        richInput: fc.oneof(record, any),
                      },
                      { requiredKeys: [] },
                    ),
                    { maxLength: 4 },
                  ),
                  any,
                ),
              },
              { requiredKeys: [] },
            )
            .map((b) => ['POST', `${V}/composite/batch`, b] as [string, string, unknown]),
          fc
            .record({ records: fc.oneof(fc.array(record, { maxLength: 3 }), any) }, { requiredKeys: [] })
            .map((b) => ['POST', `${V}/composite/tree/Account`, b] as [string, string, unknown]),
          fc
            .record(
              {
                allOrNone: fc.oneof(fc.boolean(), any),
                records: fc.oneof(fc.array(record, { maxLength: 3 }), any),
              },
              { requiredKeys: [] },
            )
            .map((b) => ['POST', `${V}/composite/sobjects`, b] as [string, string, unknown]),
          fc
            .tuple(
              fc.constantFrom('PATCH', 'DELETE', 'GET'),
              fc.constantFrom(`?ids=${accountId!},x`, `?ids=${accountId!}&fields=Name`, '?ids=', ''),
            )
            .map(
              ([m, q]) =>
                [
                  m,
                  `${V}/composite/sobjects${m === 'GET' ? '/Account' : ''}${q}`,
                  m === 'PATCH'
                    ? { records: [{ attributes: { type: 'Account' }, id: accountId, Name: 'y' }] }
                    : undefined,
                ] as [string, string, unknown],
            ),
          fc
            .record(
              {
                graphs: fc.oneof(
                  fc.array(
                    fc.record(
                      {
                        graphId: fc.oneof(fc.constantFrom('g1', 'g1', ''), any),
                        compositeRequest: fc.oneof(fc.array(sub, { maxLength: 3 }), any),
                      },
                      { requiredKeys: [] },
                    ),
                    { maxLength: 2 },
                  ),
                  any,
                ),
              },
              { requiredKeys: [] },
            )
            .map((b) => ['POST', `${V}/composite/graph`, b] as [string, string, unknown]),
        );
        await checkAsync(
          fc.asyncProperty(bodies, async ([method, path, body]) => {
            const res = await call(method, path, body);
            checkReply(`${method} ${path} ${JSON.stringify(body)}`, res);
            // Inner results: composite's httpStatusCode, batch's statusCode, graph's nested composite.
            const inner =
              JSON.stringify(res.body ?? null).match(/"(?:httpStatusCode|statusCode)":(\d+)/g) ?? [];
            for (const m of inner) {
              if (Number(m.split(':')[1]) >= 500)
                throw new Error(`${path} ${JSON.stringify(body)}: inner ${m} in ${JSON.stringify(res.body)}`);
            }
          }),
          params,
        );
      }),
  },
  {
    name: 'REST query, queryAll, search and parameterizedSearch with grammar-generated and mutated text never answer 5xx',
    runs: 300,
    run: (params) =>
      withOrg(async ({ call, org }) => {
        org.seed('Account', [{ Name: 'Acme-1 (EMEA)' }, { Name: "O'Brien & Sons" }, { Name: 'Ünïcødé 😀' }]);
        const schemaOrg = new Org({
          settings: { sharedActivities: true, packageInstalled: false },
          adminUsername: 'x@y.z',
        });
        const objects = ['Account', 'Contact', 'Opportunity', 'Lead', 'Event', 'Task', 'User'];
        const text = fc.oneof(
          wideQuery(schemaOrg, objects).map((q) => ['query', q] as const),
          wideQuery(schemaOrg, objects)
            .chain(mutate)
            .map((q) => ['queryAll', q] as const),
          fc.string({ unit: textChar, maxLength: 30 }).map((t) => ['search', `FIND {${t}}`] as const),
          fc.string({ unit: textChar, maxLength: 30 }).map((t) => ['parameterizedSearch', t] as const),
        );
        await checkAsync(
          fc.asyncProperty(text, async ([resource, q]) => {
            // A lone surrogate cannot be sent in UTF-8 (encodeURIComponent refuses it): no client can.
            fc.pre(wellFormed(q));
            const path = `${V}/${resource}?q=${encodeURIComponent(q)}`;
            checkReply(`GET ${resource} ${q}`, await call('GET', path));
          }),
          params,
        );
      }),
  },
  {
    name: 'OAuth, identity and control endpoints with forms, paths and tokens of any shape never answer 5xx',
    runs: 200,
    run: (params) =>
      withOrg(async ({ org, token }) => {
        const value = fc.oneof(
          fc.string({ unit: textChar, maxLength: 12 }),
          fc.constantFrom(
            org.clientId,
            org.clientSecret,
            org.username,
            org.password,
            token,
            'http://localhost:1717/OauthRedirect',
            'S256',
            'plain',
            '',
          ),
        );
        const form = fc.dictionary(
          fc.constantFrom(
            'grant_type',
            'client_id',
            'client_secret',
            'username',
            'password',
            'code',
            'redirect_uri',
            'refresh_token',
            'token',
            'code_verifier',
            'code_challenge',
            'code_challenge_method',
            'response_type',
            'state',
            'scope',
            'prompt',
            'token_type_hint',
            'format',
          ),
          value,
          { maxKeys: 6 },
        );
        const grant = fc.constantFrom(
          'password',
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
          '',
          'x',
        );
        const endpoint = fc.constantFrom(
          'token',
          'authorize',
          'revoke',
          'introspect',
          'userinfo',
          'nope',
          'token/',
          'authorize?x',
        );
        const auth = fc.constantFrom(
          undefined,
          `Bearer ${token}`,
          'Bearer x',
          `Basic ${Buffer.from(`${org.clientId}:${org.clientSecret}`).toString('base64')}`,
          'Basic %%%',
          'Basic ' + Buffer.from('no-colon').toString('base64'),
          'OAuth ',
        );
        await checkAsync(
          fc.asyncProperty(
            endpoint,
            fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
            form,
            grant,
            auth,
            fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
            fc.constantFrom(
              '',
              `/id/${org.orgId}/${org.userId}`,
              `/id/${org.orgId}/${org.userId}?version=latest`,
              '/id/x/y',
              `/id/${org.orgId.slice(0, 15)}/${org.userId}?oauth_token=x`,
              '/__control/knobs',
              '/__control/counters/reset',
              '/__control/nope',
            ),
            async (ep, method, params0, g, a, contentType, other) => {
              const body = new URLSearchParams({ ...params0, ...(g ? { grant_type: g } : {}) }).toString();
              const path = other || `/services/oauth2/${ep}`;
              const res = await fetch(`${org.url}${path}`, {
                method,
                redirect: 'manual',
                headers: { 'content-type': contentType, ...(a ? { authorization: a } : {}) },
                ...(method === 'GET'
                  ? {}
                  : { body: other.startsWith('/__control/knobs') ? '{"latencyMs":"x"}' : body }),
              });
              await res.arrayBuffer();
              if (res.status >= 500) throw new Error(`${method} ${path} ${body}: ${res.status}`);
            },
          ),
          params,
        );
      }),
  },
  {
    name: 'REST bodies and queries nested or chained thousands deep get a 4xx, never a stack overflow',
    runs: 12,
    run: (params) =>
      withOrg(async ({ org, token }) => {
        const nested = (n: number, open: string, close: string, inner: string) =>
          open.repeat(n) + inner + close.repeat(n);
        await checkAsync(
          fc.asyncProperty(
            fc.integer({ min: 900, max: 6000 }),
            fc.constantFrom('composite', 'tree', 'record', 'collections', 'graph'),
            async (n, where) => {
              const deepValue = nested(n, '{"a":', '}', '1');
              const body = {
                composite: `{"compositeRequest":[{"method":"POST","url":"${V}/sobjects/Account","referenceId":"a","body":${deepValue}}]}`,
                tree: `{"records":[{"attributes":{"type":"Account","referenceId":"r"},"Name":${deepValue}}]}`,
                record: `{"Name":${nested(n, '[', ']', '')}}`,
                collections: `{"records":[{"attributes":{"type":"Account"},"Name":${deepValue}}]}`,
                graph: `{"graphs":[{"graphId":"g","compositeRequest":[{"method":"POST","url":"${V}/sobjects/Account","referenceId":"a","body":${deepValue}}]}]}`,
              }[where];
              const path = {
                composite: 'composite',
                tree: 'composite/tree/Account',
                record: 'sobjects/Account',
                collections: 'composite/sobjects',
                graph: 'composite/graph',
              }[where];
              checkReply(`POST ${path} nested ${n}`, await raw(org, token, 'POST', `${V}/${path}`, body));
            },
          ),
          params,
        );
      }),
  },
  {
    name: 'REST: a record created with any text is found over HTTP by = and by LIKE of that text (escaped), and by SOSL of its words',
    runs: 120,
    run: (params) =>
      withOrg(async ({ call }) => {
        const soqlQuote = (t: string) =>
          `'${t.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
        const likeQuote = (t: string) => soqlQuote(t).replace(/[%_]/g, '\\$&');
        const q = (soql: string) => call<Json>('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
        await checkAsync(
          fc.asyncProperty(
            fc
              .string({ unit: textChar, minLength: 1, maxLength: 40 })
              .filter((t) => t.trim() !== '' && wellFormed(t)),
            async (name) => {
              const created = await call<Json>('POST', `${V}/sobjects/Account`, { Name: name });
              checkReply(`POST Account ${JSON.stringify(name)}`, created);
              if (created.status !== 201) return;
              const id = created.body.id as string;
              for (const soql of [
                `SELECT Id, Name FROM Account WHERE Name = ${soqlQuote(name)}`,
                `SELECT Id, Name FROM Account WHERE Name LIKE ${likeQuote(name)}`,
                `SELECT Id, Name FROM Account WHERE Name IN (${soqlQuote(name)}, 'zz')`,
              ]) {
                const res = await q(soql);
                checkReply(soql, res);
                const ids = ((res.body?.records ?? []) as { Id: string }[]).map((r) => r.Id);
                if (res.status !== 200 || !ids.includes(id)) {
                  throw new Error(`${soql}: ${res.status} ${JSON.stringify(res.body)} does not hold ${id}`);
                }
              }
              const words = name.match(/[\p{L}\p{N}]{2,}/gu);
              if (words) {
                // As a phrase, so that a word like AND or OR is searched, not read as an operator.
                const escaped = `"${words[0]!}"`;
                const res = await call<Json>(
                  'GET',
                  `${V}/search?q=${encodeURIComponent(`FIND {${escaped}} IN NAME FIELDS RETURNING Account(Id)`)}`,
                );
                checkReply(`FIND {${escaped}}`, res);
                const ids = ((res.body?.searchRecords ?? []) as { Id: string }[]).map((r) => r.Id);
                if (!ids.includes(id))
                  throw new Error(
                    `FIND {${escaped}} misses ${JSON.stringify(name)}: ${JSON.stringify(res.body)}`,
                  );
              }
              checkReply(`DELETE ${id}`, await call('DELETE', `${V}/sobjects/Account/${id}`));
            },
          ),
          params,
        );
      }),
  },
];
