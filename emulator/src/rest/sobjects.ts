/**
 * sObject rows: create, read, update and delete by id, a base64 field's content, a record's parent
 * or children by relationship name, and read, upsert and delete by external id.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
 */
import { ApiError, notFound } from '../errors.ts';
import { to18 } from '../ids.ts';
import type { Org } from '../org/org.ts';
import type { RestHost } from './host.ts';
import { canRead, readableRecord, renderRecord } from './render.ts';
import { allow, fieldsParam, requireObject, type Reply, type SObjectRequest } from './resource.ts';

export class SObjectsResource {
  readonly #org: Org;

  constructor(host: Pick<RestHost, 'org'>) {
    this.#org = host.org;
  }

  /** POST sobjects/{type} (the router shares the path with basic information). */
  create(req: SObjectRequest): Reply {
    const id = this.#org.create(req.schema.name, requireObject(req.body));
    return { status: 201, body: { id, success: true, errors: [] } };
  }

  /** sobjects/{type}/{id}: GET, PATCH, DELETE */
  row(req: SObjectRequest): Reply {
    const { method, schema } = req;
    const id = req.path[0] ?? '';
    allow(method, ['GET', 'PATCH', 'DELETE']);
    if (method === 'GET') {
      if (!to18(id)) {
        throw new ApiError(
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${id}`,
        );
      }
      const found = this.#org.store.byId(id);
      if (!found && to18(id)!.slice(0, 3) !== schema.keyPrefix) throw notFound();
      const record = readableRecord(this.#org, schema, id);
      return {
        status: 200,
        body: renderRecord(this.#org, req.version, schema.name, record, fieldsParam(req.query)),
      };
    }
    if (method === 'PATCH') {
      this.#org.update(schema.name, id, requireObject(req.body));
      return { status: 204 };
    }
    this.#org.remove(schema.name, id);
    return { status: 204 };
  }

  /**
   * sobjects/{type}/{a}/{b}: a base64 field's content (`ContentNote/{id}/Content`), a relationship
   * (`Contact/{id}/Account`), or else a record by external id (`Account/Ext__c/{value}`).
   */
  subresource(req: SObjectRequest): Reply {
    const [second = '', third = ''] = req.path;
    const { schema } = req;
    const blobField = this.#org.field(schema.name, third);
    if (to18(second) && blobField?.type === 'base64') {
      allow(req.method, ['GET']);
      const record = readableRecord(this.#org, schema, second);
      const data = this.#org.store.blob(record.Id as string) ?? '';
      return { status: 200, raw: { contentType: 'text/plain;charset=UTF-8', data } };
    }
    const rel = to18(second) ? this.#relationship(req, second, third) : undefined;
    if (rel) return rel;
    return this.#byExternalId(req, second, third);
  }

  /**
   * sObject Relationships: a record's parent by relationship name (`Contact/{id}/Account`) or its children
   * (`Account/{id}/Contacts`), read-only here.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_relationships.htm
   */
  #relationship(req: SObjectRequest, id: string, name: string): Reply | undefined {
    const org = this.#org;
    const { schema, version } = req;
    const lower = name.toLowerCase();
    const parentField = schema.fields.find(
      (f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower,
    );
    const childRel = schema.childRelationships.find((c) => c.relationshipName?.toLowerCase() === lower);
    if (!parentField && !childRel) return undefined;
    allow(req.method, ['GET']);
    const record = readableRecord(org, schema, id);
    const fields = fieldsParam(req.query);
    if (parentField) {
      const target = org.live(record[parentField.name] as string | null);
      if (!target) throw notFound();
      org.assertReadable(target.objectName, target.record);
      return { status: 200, body: renderRecord(org, version, target.objectName, target.record, fields) };
    }
    const rel = childRel!;
    const childSchema = org.apiSchema(rel.childSObject);
    const children = [...org.store.records(childSchema.name, { includeDeleted: false })].filter(
      (r) => r[rel.field] === record.Id && canRead(org, childSchema.name, r),
    );
    return {
      status: 200,
      body: {
        totalSize: children.length,
        done: true,
        records: children.map((c) => renderRecord(org, version, rel.childSObject, c, fields)),
      },
    };
  }

  #byExternalId(req: SObjectRequest, fieldName: string, value: string): Reply {
    const org = this.#org;
    const { method, schema, version, query } = req;
    allow(method, ['GET', 'PATCH', 'DELETE', 'POST']);
    const f = org.field(schema.name, fieldName);
    // An incorrect external ID field answers NOT_FOUND
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
    if (!f || (!f.externalId && f.name !== 'Id')) throw notFound();
    const norm = value.toLowerCase();
    const matches =
      f.name === 'Id'
        ? []
        : [...org.store.records(schema.name, { includeDeleted: false })].filter(
            (r) => String(r[f.name] ?? '').toLowerCase() === norm && canRead(org, schema.name, r),
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
        const located = f.name === 'Id' ? org.store.locate(value) : undefined;
        const exists =
          f.name === 'Id' ? located !== undefined && located.record.IsDeleted !== true : matches.length > 0;
        if (!exists) throw notFound();
      }
      const { id, created } = org.upsert(schema.name, f.name, value, requireObject(req.body));
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
      org.remove(schema.name, match.Id as string);
      return { status: 204 };
    }
    return { status: 200, body: renderRecord(org, version, schema.name, match, fieldsParam(query)) };
  }
}
