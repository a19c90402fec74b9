/**
 * The REST API under /services/data/vXX.X/: resources, describe, sObject rows, upsert by external id,
 * query/queryAll with paging, search, limits, and the composite family (in composite.ts).
 * Resource list: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
 */
import { ApiError, isSalesforceError, notFound } from '../errors.ts';
import { to18 } from '../ids.ts';
import { Org } from '../org/org.ts';
import { executeGraphql, GRAPHQL_MIN_VERSION } from '../graphql/execute.ts';
import { executeSoql, executeSosl } from '../query/index.ts';
import type { ObjectSchema, StoredRecord } from '../schema/types.ts';
import { queryColumns } from './columns.ts';
import { Composite } from './composite.ts';
import { batchSize, QueryCursors } from './cursors.ts';
import { limitsTable } from './limits.ts';
import { canRead, readableRecord, renderRecord } from './render.ts';
import { allow, requireObject, type Reply } from './resource.ts';
import { describeObject, globalDescribe, objectSummary } from './describe.ts';

export class Rest {
  readonly org: Org;
  readonly #cursors: QueryCursors;
  readonly composite: Composite;
  limits: () => { used: number; max: number };
  /** Counts API calls beyond the one the HTTP layer counted (Composite Batch counts each subrequest). */
  countExtra: (kind: string, n: number) => void = () => undefined;
  /** The identity URL of the running user (absolute, as in the token response's `id`). */
  identityUrl: () => string = () => `/id/${this.org.orgId}/${this.org.userId}`;
  /** The org's instance URL (absolute, as in the token response's `instance_url`). */
  instanceUrl: () => string = () => '';

  constructor(org: Org, limits: () => { used: number; max: number }) {
    this.org = org;
    this.limits = limits;
    this.composite = new Composite(this);
    this.#cursors = new QueryCursors({ now: () => Date.now(), newLocator: () => org.store.ids.next('01g') });
  }

  /** The counter kind of a request path (after /services/data/vXX.X/). */
  static kindOf(method: string, parts: string[]): string {
    const [head, second, third] = parts;
    switch (head) {
      case undefined:
      case '':
        return 'resources';
      case 'query':
      case 'queryAll':
        return 'query';
      case 'search':
      case 'parameterizedSearch':
        return 'search';
      case 'limits':
        return 'limits';
      case 'graphql':
        return 'graphql';
      case 'composite':
        if (second === 'graph') return 'graph';
        if (second === 'sobjects') return 'collections';
        if (second === 'tree') return 'tree';
        if (second === 'batch') return 'batch';
        return 'composite';
      case 'sobjects':
        if (second === undefined || third === 'describe' || (third === undefined && method === 'GET'))
          return 'describe';
        return 'sobject';
      default:
        return 'other';
    }
  }

  /** Runs one request; errors become Salesforce's error body. */
  dispatch(
    method: string,
    version: string,
    parts: string[],
    query: URLSearchParams,
    body: unknown,
    headers: Record<string, string | undefined>,
    inComposite = false,
  ): Reply {
    try {
      // A request that fails part-way leaves nothing behind (rules may write related rows first).
      return this.org.store.transaction(() =>
        this.#route(method, version, parts, query, body, headers, inComposite),
      );
    } catch (e) {
      // DML and resource errors and the query engine's share one base and one body.
      if (isSalesforceError(e)) return { status: e.status, body: [e.toItem()] };
      throw e;
    }
  }

  #route(
    method: string,
    version: string,
    parts: string[],
    query: URLSearchParams,
    body: unknown,
    headers: Record<string, string | undefined>,
    inComposite: boolean,
  ): Reply {
    const [head, ...rest] = parts;
    switch (head) {
      case undefined:
      case '':
        allow(method, ['GET']);
        return { status: 200, body: this.#resources(version) };
      case 'sobjects':
        return this.#sobjects(method, version, rest, query, body, headers);
      case 'query':
      case 'queryAll':
        allow(method, ['GET']);
        return this.#query(version, head === 'queryAll', rest, query, headers);
      case 'search':
        allow(method, ['GET']);
        return this.#search(version, query);
      case 'limits':
        allow(method, ['GET']);
        return { status: 200, body: limitsTable(this.limits()) };
      case 'graphql':
        // UI API GraphQL, POST only, from v56.0 (https://developer.salesforce.com/docs/platform/graphql/guide/query-status.html).
        if (rest.length > 0 || inComposite || Number.parseInt(version, 10) < GRAPHQL_MIN_VERSION)
          throw notFound();
        allow(method, ['POST']);
        return { status: 200, body: this.#graphql(version, body) };
      case 'composite':
        if (inComposite && rest[0] !== 'sobjects') throw notFound();
        return this.composite.route(method, version, rest, query, body, headers);
      default:
        throw notFound();
    }
  }

  #resources(version: string): Record<string, string> {
    const base = `/services/data/v${version}`;
    return {
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      search: `${base}/search`,
      composite: `${base}/composite`,
      limits: `${base}/limits`,
      identity: this.identityUrl(),
    };
  }

  renderRecord(
    version: string,
    objectName: string,
    record: StoredRecord,
    fields?: string[],
  ): Record<string, unknown> {
    return renderRecord(this.org, version, objectName, record, fields);
  }

  /**
   * sObject User Password: GET tells whether it expired, POST sets it ({"NewPassword"}), DELETE resets
   * it to a generated one returned in the body. Another user's password needs "Manage Users"; a
   * session without it gets 403 INSUFFICIENT_ACCESS.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_user_password.htm
   */
  #password(method: string, id: string, body: unknown): Reply {
    allow(method, ['GET', 'POST', 'DELETE']);
    const user = this.org.requireRecord(this.org.requireSchema('User'), id);
    const self = user.Id === this.org.currentUserId;
    const restricted = this.org.restrictedUser;
    if (restricted && !restricted.perms.has('ManageUsers') && !(self && method === 'GET')) {
      throw new ApiError('INSUFFICIENT_ACCESS', 'You do not have permission to view this record.');
    }
    if (method === 'GET') return { status: 200, body: { isExpired: false } };
    if (method === 'DELETE') {
      const generated = Org.secret(9).replace(/[-_]/g, 'x');
      this.org.setPassword(user.Id as string, generated);
      return { status: 200, body: { NewPassword: generated } };
    }
    const value = requireObject(body).NewPassword;
    // The org's default password policy: at least 8 characters mixing letters and numbers
    // (https://help.salesforce.com/s/articleView?id=sf.admin_password.htm).
    if (typeof value !== 'string' || value.length < 8 || !/[A-Za-z]/.test(value) || !/\d/.test(value)) {
      throw new ApiError(
        'INVALID_NEW_PASSWORD',
        'Your password must be at least 8 characters long and have a mix of letters and numbers.',
      );
    }
    this.org.setPassword(user.Id as string, value);
    return { status: 204 };
  }

  /** Describe answers 304 when nothing changed since If-Modified-Since (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_ifmodifiedsince.htm). */
  #notModified(headers: Record<string, string | undefined>): boolean {
    const since = headers['if-modified-since'];
    if (!since) return false;
    const t = Date.parse(since);
    return !Number.isNaN(t) && this.org.schemasChangedAt <= t;
  }

  #lastModified(): Record<string, string> {
    return { 'Last-Modified': new Date(this.org.schemasChangedAt).toUTCString() };
  }

  /**
   * sObject Get Deleted / Get Updated: ids deleted or changed between start and end (seconds ignored).
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm
   */
  #replication(
    kind: 'deleted' | 'updated',
    schema: ObjectSchema,
    query: URLSearchParams,
  ): Record<string, unknown> {
    const parse = (name: string): number => {
      const raw = query.get(name);
      const ms = raw ? Date.parse(raw) : NaN;
      if (Number.isNaN(ms))
        throw new ApiError('INVALID_REPLICATION_DATE', `${name} must be a valid dateTime`);
      return Math.floor(ms / 60000) * 60000;
    };
    const start = parse('start');
    const end = parse('end');
    if (end < start) throw new ApiError('INVALID_REPLICATION_DATE', 'end date must be after start date');
    const earliest = Math.floor(this.org.createdAt / 60000) * 60000;
    const latest = Math.min(end, Math.floor(Date.now() / 60000) * 60000);
    const fmt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    const inRange = (stamp: unknown) => {
      const t = typeof stamp === 'string' ? Date.parse(stamp.replace('+0000', 'Z')) : NaN;
      return t >= start && t < end;
    };
    const rows = [...this.org.store.records(schema.name, { includeDeleted: true })].filter((r) =>
      canRead(this.org, schema.name, r),
    );
    if (kind === 'deleted') {
      return {
        deletedRecords: rows
          .filter((r) => r.IsDeleted === true && inRange(r.SystemModstamp))
          .map((r) => ({ id: r.Id, deletedDate: r.SystemModstamp })),
        earliestDateAvailable: fmt(earliest),
        latestDateCovered: fmt(latest),
      };
    }
    return {
      ids: rows.filter((r) => r.IsDeleted !== true && inRange(r.SystemModstamp)).map((r) => r.Id),
      latestDateCovered: fmt(latest),
    };
  }

  #sobjects(
    method: string,
    version: string,
    rest: string[],
    query: URLSearchParams,
    body: unknown,
    headers: Record<string, string | undefined>,
  ): Reply {
    const [type, second, third, ...more] = rest;
    if (type === undefined || type === '') {
      allow(method, ['GET']);
      if (this.#notModified(headers)) return { status: 304 };
      return {
        status: 200,
        body: globalDescribe(version, this.org.apiSchemas()),
        headers: this.#lastModified(),
      };
    }
    const schema = this.org.apiSchema(type);
    if (second === undefined || second === '') {
      allow(method, ['GET', 'POST']);
      if (method === 'GET')
        return { status: 200, body: { objectDescribe: objectSummary(version, schema), recentItems: [] } };
      const id = this.org.create(schema.name, requireObject(body));
      return { status: 201, body: { id, success: true, errors: [] } };
    }
    if (second === 'describe' && third === undefined) {
      allow(method, ['GET']);
      if (this.#notModified(headers)) return { status: 304 };
      return {
        status: 200,
        body: describeObject(version, schema, this.instanceUrl()),
        headers: this.#lastModified(),
      };
    }
    if ((second === 'deleted' || second === 'updated') && (third === undefined || third === '')) {
      allow(method, ['GET']);
      return { status: 200, body: this.#replication(second, schema, query) };
    }
    if (third === undefined) return this.#row(method, version, schema, second, query, body);
    if (more.length > 0) throw notFound();
    if (schema.name === 'User' && third === 'password') return this.#password(method, second, body);
    // sobjects/{type}/{id}/{blobField}: a base64 field's content (ContentNote.Content).
    const blobField = this.org.field(schema.name, third);
    if (to18(second) && blobField?.type === 'base64') {
      allow(method, ['GET']);
      const record = readableRecord(this.org, schema, second);
      const data = this.org.store.blob(record.Id as string) ?? '';
      return { status: 200, raw: { contentType: 'text/plain;charset=UTF-8', data } };
    }
    const rel = to18(second) ? this.#relationship(method, version, schema, second, third, query) : undefined;
    if (rel) return rel;
    return this.#byExternalId(method, version, schema, second, third, query, body);
  }

  /**
   * sObject Relationships: a record's parent by relationship name (`Contact/{id}/Account`) or its children
   * (`Account/{id}/Contacts`), read-only here.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_relationships.htm
   */
  #relationship(
    method: string,
    version: string,
    schema: ObjectSchema,
    id: string,
    name: string,
    query: URLSearchParams,
  ): Reply | undefined {
    const lower = name.toLowerCase();
    const parentField = schema.fields.find(
      (f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower,
    );
    const childRel = schema.childRelationships.find((c) => c.relationshipName?.toLowerCase() === lower);
    if (!parentField && !childRel) return undefined;
    allow(method, ['GET']);
    const record = readableRecord(this.org, schema, id);
    const fields = fieldsParam(query);
    if (parentField) {
      const target = this.org.live(record[parentField.name] as string | null);
      if (!target) throw notFound();
      this.org.assertReadable(target.objectName, target.record);
      return { status: 200, body: this.renderRecord(version, target.objectName, target.record, fields) };
    }
    const rel = childRel!;
    const childSchema = this.org.apiSchema(rel.childSObject);
    const children = [...this.org.store.records(childSchema.name, { includeDeleted: false })].filter(
      (r) => r[rel.field] === record.Id && canRead(this.org, childSchema.name, r),
    );
    return {
      status: 200,
      body: {
        totalSize: children.length,
        done: true,
        records: children.map((c) => this.renderRecord(version, rel.childSObject, c, fields)),
      },
    };
  }

  #row(
    method: string,
    version: string,
    schema: ObjectSchema,
    id: string,
    query: URLSearchParams,
    body: unknown,
  ): Reply {
    allow(method, ['GET', 'PATCH', 'DELETE']);
    if (method === 'GET') {
      if (!to18(id)) {
        throw new ApiError(
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${id}`,
        );
      }
      const found = this.org.store.byId(id);
      if (!found && to18(id)!.slice(0, 3) !== schema.keyPrefix) throw notFound();
      const record = readableRecord(this.org, schema, id);
      return { status: 200, body: this.renderRecord(version, schema.name, record, fieldsParam(query)) };
    }
    if (method === 'PATCH') {
      this.org.update(schema.name, id, requireObject(body));
      return { status: 204 };
    }
    this.org.remove(schema.name, id);
    return { status: 204 };
  }

  #byExternalId(
    method: string,
    version: string,
    schema: ObjectSchema,
    fieldName: string,
    value: string,
    query: URLSearchParams,
    body: unknown,
  ): Reply {
    allow(method, ['GET', 'PATCH', 'DELETE', 'POST']);
    const f = this.org.field(schema.name, fieldName);
    // An incorrect external ID field answers NOT_FOUND
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
    if (!f || (!f.externalId && f.name !== 'Id')) throw notFound();
    const norm = value.toLowerCase();
    const matches =
      f.name === 'Id'
        ? []
        : [...this.org.store.records(schema.name, { includeDeleted: false })].filter(
            (r) => String(r[f.name] ?? '').toLowerCase() === norm && canRead(this.org, schema.name, r),
          );
    // Several matches: 300 with the list of the matching records' URLs, for reads and upserts alike
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
    const multiple = (): Reply => ({
      status: 300,
      body: matches.map((r) => `/services/data/v${version}/sobjects/${schema.name}/${String(r.Id)}`),
    });
    if (method === 'PATCH' || method === 'POST') {
      if (matches.length > 1) return multiple();
      // updateOnly=true updates a match and never creates.
      if (query.get('updateOnly') === 'true') {
        const located = f.name === 'Id' ? this.org.store.locate(value) : undefined;
        const exists =
          f.name === 'Id' ? located !== undefined && located.record.IsDeleted !== true : matches.length > 0;
        if (!exists) throw notFound();
      }
      const { id, created } = this.org.upsert(schema.name, f.name, value, requireObject(body));
      if (created) return { status: 201, body: { id, success: true, errors: [], created: true } };
      // Since API v46.0 an upsert that updates answers 200 with a body; before, 204.
      if (Number(version) >= 46)
        return { status: 200, body: { id, success: true, errors: [], created: false } };
      return { status: 204 };
    }
    if (matches.length === 0) throw notFound();
    if (matches.length > 1) return multiple();
    const match = matches[0]!;
    if (method === 'DELETE') {
      this.org.remove(schema.name, match.Id as string);
      return { status: 204 };
    }
    return { status: 200, body: this.renderRecord(version, schema.name, match, fieldsParam(query)) };
  }

  #graphql(version: string, body: unknown): unknown {
    let subqueries = 0;
    const answer = executeGraphql(body, {
      apiVersion: version,
      schema: (name) => this.org.store.schema(name),
      // The running user's SOQL path, so that what /query enforces holds for GraphQL too.
      runSoql: (soql) => {
        subqueries++;
        return this.runSoql(version, soql, false);
      },
    });
    // "Each subquery counts as one request for rate limiting"
    // (https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html); the HTTP layer
    // counted the request once.
    this.countExtra('graphql', Math.max(0, subqueries - 1));
    return answer;
  }

  runSoql(version: string, soql: string, includeDeleted: boolean): { totalSize: number; records: object[] } {
    return executeSoql(soql, this.org.store, { includeDeleted, apiVersion: version });
  }

  #query(
    version: string,
    includeDeleted: boolean,
    rest: string[],
    query: URLSearchParams,
    headers: Record<string, string | undefined>,
  ): Reply {
    const batch = batchSize(headers['sforce-query-options']);
    if (rest.length > 0 && rest[0]) {
      if (rest.length > 1) throw notFound();
      return { status: 200, body: this.#cursors.next(version, rest[0], batch) };
    }
    const q = query.get('q');
    if (q === null || q.trim() === '') {
      throw new ApiError('MALFORMED_QUERY', 'A query string has to be specified');
    }
    const result = this.runSoql(version, q, includeDeleted);
    if (query.get('columns') === 'true') return { status: 200, body: queryColumns(this.org, q) };
    return { status: 200, body: this.#cursors.first(version, result, batch) };
  }

  #search(version: string, query: URLSearchParams): Reply {
    const q = query.get('q');
    if (q === null || q.trim() === '') {
      throw new ApiError(
        'MALFORMED_SEARCH',
        'No search term found. The search term must be at least 2 characters long.',
      );
    }
    const result = executeSosl(q, this.org.store, { apiVersion: version });
    return { status: 200, body: result };
  }
}

/** The `?fields=` list of a record read, when given. */
function fieldsParam(query: URLSearchParams): string[] | undefined {
  return query
    .get('fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}
