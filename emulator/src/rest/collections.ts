/**
 * sObject Collections: up to 200 records per call, each saved (or refused) on its own unless
 * allOrNone asks that all be rolled back when one fails.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
import { ApiError, isApiError, notFound } from '../errors.ts';
import { to18 } from '../ids.ts';
import type { Org } from '../org/org.ts';
import type { FieldSchema, ObjectSchema } from '../schema/types.ts';
import type { RestHost } from './host.ts';
import { renderRecord } from './render.ts';
import { allow, FORCE_ALL_OR_NONE, requireObject, type Reply, type RestRequest } from './resource.ts';

const MAX_COLLECTION = 200;
const MAX_RETRIEVE = 2000;

/** One record of a write: its id when the request named one, and the save that returns its id. */
interface Item {
  id?: string;
  run: () => string;
}

/** A record of a request body: its type (`attributes.type`), its id, and the other fields. */
interface BodyRecord {
  type: string | undefined;
  id: string | undefined;
  fields: Record<string, unknown>;
}

type Result = { id?: string; success: boolean; errors: unknown[]; created?: boolean };

export class CollectionsResource {
  readonly #org: Org;

  constructor(host: Pick<RestHost, 'org'>) {
    this.#org = host.org;
  }

  /**
   * GET composite/sobjects/{type}?ids=…&fields=… (or POST with both in the body, for long lists):
   * the records in the order asked, null for one the user cannot see.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_retrieve.htm
   */
  retrieve(req: RestRequest): Reply {
    const org = this.#org;
    const { method } = req;
    allow(method, ['GET', 'POST']);
    const schema = org.apiSchema(req.path[0] ?? '');
    const input = method === 'POST' ? requireObject(req.body) : {};
    const idList =
      method === 'POST'
        ? (input.ids as unknown[] | undefined)?.map(String)
        : req.query.get('ids')?.split(',');
    const fieldList =
      method === 'POST'
        ? (input.fields as unknown[] | undefined)?.map(String)
        : req.query.get('fields')?.split(',');
    if (!idList?.length || !fieldList?.length)
      throw new ApiError('MALFORMED_QUERY', 'ids and fields are required');
    if (idList.length > MAX_RETRIEVE)
      throw new ApiError(
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${MAX_RETRIEVE} records into this call`,
      );
    const records = idList.map((id) => {
      const id18 = to18(id.trim());
      const raw = id18 ? org.store.locate(id18) : undefined;
      const found = raw?.objectName === schema.name ? raw : id18 ? org.store.byId(id18) : undefined;
      if (!found || found.objectName !== schema.name || found.record.IsDeleted === true) return null;
      const user = org.restrictedUser;
      if (user && !user.canRead(schema.name, found.record)) return null;
      return renderRecord(
        org,
        req.version,
        schema.name,
        found.record,
        fieldList.map((f) => f.trim()),
      );
    });
    return { status: 200, body: records };
  }

  /**
   * POST composite/sobjects (create), PATCH (update by id), DELETE ?ids=… .
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
   */
  write(req: RestRequest): Reply {
    const org = this.#org;
    const { method } = req;
    allow(method, ['POST', 'PATCH', 'DELETE']);
    const forced = forcedAllOrNone(req);
    if (method === 'DELETE') {
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      const allOrNone = forced || req.query.get('allOrNone') === 'true';
      if (ids.length === 0) throw new ApiError('MALFORMED_ID', 'ids are required');
      checkCount(ids.length);
      const items = ids.map((id) => ({ id, run: () => (org.remove(undefined, id), to18(id) ?? id) }));
      return this.#save(req, items, allOrNone);
    }
    const { records, allOrNone } = recordsOf(req);
    const items = records.map(({ type, id, fields }): Item => ({
      ...(id !== undefined ? { id } : {}),
      run: () => {
        if (!type) throw new ApiError('INVALID_TYPE', 'Must send a concrete entity type.');
        if (method === 'POST') {
          if (id !== undefined)
            throw new ApiError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
          return org.create(type, fields);
        }
        if (!id) throw new ApiError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
        org.update(type, id, fields);
        return to18(id) ?? id;
      },
    }));
    return this.#save(req, items, allOrNone);
  }

  /**
   * PATCH composite/sobjects/{type}/{externalIdField}, from API 46.0: upserts by external id, each
   * result saying whether it created the record.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
   */
  upsert(req: RestRequest): Reply {
    const org = this.#org;
    allow(req.method, ['PATCH']);
    const schema = org.requireSchema(req.path[0] ?? '');
    const field = org.field(schema.name, req.path[1] ?? '');
    // A field that is not an external id answers as the single-record upsert does: NOT_FOUND.
    if (!field || !field.externalId) throw notFound();
    /** Ids the upsert created, so each result can say `created`. */
    const created = new Set<string>();
    const { records, allOrNone } = recordsOf(req);
    const items = records.map(({ type, id, fields }): Item => ({
      ...(id !== undefined ? { id } : {}),
      run: () => {
        if (!type) throw new ApiError('INVALID_TYPE', 'Must send a concrete entity type.');
        return upsertOne(org, schema, field, type, id, fields, created);
      },
    }));
    return this.#save(req, items, allOrNone, created);
  }

  /**
   * Runs each item in its own savepoint and reports one SaveResult per item; with allOrNone, one
   * failure rolls every item back and each success is reported as rolled back.
   * `created` (upserts only) holds the ids the items created.
   */
  #save(req: RestRequest, items: Item[], allOrNone: boolean, created?: Set<string>): Reply {
    const org = this.#org;
    const { method } = req;
    const results: Result[] = [];
    let anyFailed = false;
    org.store.transaction(
      () => {
        for (const item of items) {
          // Each record is its own savepoint: a failed record leaves no partial writes behind.
          try {
            const id = org.store.transaction(() => item.run());
            results.push(
              created
                ? { id, success: true, errors: [], created: created.has(id) }
                : { id, success: true, errors: [] },
            );
          } catch (e) {
            if (!isApiError(e)) throw e;
            anyFailed = true;
            const r: Result = { success: false, errors: [e.toSaveError()] };
            if (method !== 'POST' && item.id) r.id = item.id;
            results.push(r);
          }
        }
      },
      () => !(allOrNone && anyFailed),
    );
    if (allOrNone && anyFailed) {
      return {
        status: 200,
        partialFailure: true,
        body: results.map((r) =>
          r.success
            ? {
                success: false,
                errors: [
                  {
                    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message:
                      'Record rolled back because not all records were valid and the request was using AllOrNone header',
                    fields: [],
                  },
                ],
                // A record the upsert created and the rollback removed has no id to report.
                ...(method !== 'POST' && r.id && !created?.has(r.id) ? { id: r.id } : {}),
              }
            : r,
        ),
      };
    }
    return { status: 200, body: results, partialFailure: anyFailed && forcedAllOrNone(req) };
  }
}

/** An all-or-none composite around this request makes it all-or-none too (see subrequests.ts). */
function forcedAllOrNone(req: RestRequest): boolean {
  return req.headers[FORCE_ALL_OR_NONE] === 'true';
}

/** The `records` of a create, update or upsert body, and whether it asks for allOrNone. */
function recordsOf(req: RestRequest): { records: BodyRecord[]; allOrNone: boolean } {
  const input = requireObject(req.body);
  const allOrNone = forcedAllOrNone(req) || input.allOrNone === true;
  const records = input.records;
  if (!Array.isArray(records)) throw new ApiError('JSON_PARSER_ERROR', 'records must be an array');
  checkCount(records.length);
  return {
    allOrNone,
    records: records.map((raw: unknown) => {
      const rec = (raw ?? {}) as Record<string, unknown>;
      const attributes = rec.attributes as { type?: unknown } | undefined;
      const type = typeof attributes?.type === 'string' ? attributes.type : undefined;
      // Field names are case-insensitive: the reference's examples send `id`, clients often `Id`
      // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm).
      const idKey = Object.keys(rec).find((k) => k.toLowerCase() === 'id');
      const { [idKey ?? 'id']: rawId, ...fields } = rec;
      return { type, id: typeof rawId === 'string' ? rawId : undefined, fields };
    }),
  };
}

/** One record of an upsert by external id; adds the id to `created` when it created the record. */
function upsertOne(
  org: Org,
  schema: ObjectSchema,
  field: FieldSchema,
  type: string,
  id: string | undefined,
  fields: Record<string, unknown>,
  created: Set<string>,
): string {
  // "Only external ids are supported. Don't use record ids."; the list holds only the URI's type.
  if (type.toLowerCase() !== schema.name.toLowerCase())
    throw new ApiError('INVALID_TYPE', `sObject type must be ${schema.name}`);
  if (id !== undefined) throw new ApiError('INVALID_FIELD', 'cannot specify Id in an upsert call', ['Id']);
  const key = Object.keys(fields).find((k) => k.toLowerCase() === field.name.toLowerCase());
  const value = key === undefined ? undefined : fields[key];
  if (value === undefined || value === null || value === '')
    throw new ApiError('MISSING_ARGUMENT', `${field.name} not specified`, []);
  try {
    const r = org.upsert(schema.name, field.name, String(value), fields);
    if (r.created) created.add(r.id);
    return r.id;
  } catch (e) {
    // Several matches: the API's StatusCode for an upsert whose external id is not unique.
    if (isApiError(e) && e.status === 300)
      throw new ApiError('DUPLICATE_EXTERNAL_ID', e.message, [field.name]);
    throw e;
  }
}

function checkCount(n: number): void {
  if (n > MAX_COLLECTION) {
    throw new ApiError(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
    );
  }
}
