/**
 * sObject Tree: up to 200 records of one root type with their children (5 levels at most), inserted
 * in one transaction.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm
 */
import { ApiError, isApiError } from '../errors.ts';
import type { Org } from '../org/org.ts';
import type { RestHost } from './host.ts';
import { allow, invalidRequest, requireObject, type Reply, type RestRequest } from './resource.ts';

const MAX_TREE = 200;
const MAX_TREE_DEPTH = 5;

/** Unwinds the insert at the first refused record (the transaction then rolls back). */
class Halt extends Error {}

export class TreeResource {
  readonly #org: Org;

  constructor(host: Pick<RestHost, 'org'>) {
    this.#org = host.org;
  }

  /** POST composite/tree/{type} */
  handle(req: RestRequest): Reply {
    allow(req.method, ['POST']);
    const body = requireObject(req.body);
    const type = req.path[0] ?? '';
    const org = this.#org;
    const rootSchema = org.requireSchema(type);
    const records = body.records;
    if (!Array.isArray(records) || records.length === 0) {
      throw new ApiError('JSON_PARSER_ERROR', 'records are required');
    }
    let count = 0;
    const refIds = new Set<string>();
    const validate = (list: unknown[], objectName: string, level: number): void => {
      if (level > MAX_TREE_DEPTH)
        throw invalidRequest(`The request exceeds the maximum depth of ${MAX_TREE_DEPTH} levels.`);
      for (const raw of list) {
        count++;
        const rec = (raw ?? {}) as Record<string, unknown>;
        const attrs = (rec.attributes ?? {}) as { type?: unknown; referenceId?: unknown };
        if (typeof attrs.referenceId !== 'string' || attrs.referenceId === '') {
          throw invalidRequest('Include a reference ID for each record in the request.');
        }
        if (refIds.has(attrs.referenceId))
          throw invalidRequest(`Duplicate ReferenceId provided in the request: ${attrs.referenceId}`);
        refIds.add(attrs.referenceId);
        if (typeof attrs.type !== 'string' || attrs.type.toLowerCase() !== objectName.toLowerCase()) {
          throw invalidRequest(`The type ${String(attrs.type)} does not match ${objectName}.`);
        }
        const schema = org.requireSchema(objectName);
        for (const [k, v] of Object.entries(rec)) {
          if (k === 'attributes' || !v || typeof v !== 'object' || Array.isArray(v)) continue;
          const rel = schema.childRelationships.find(
            (c) => c.relationshipName?.toLowerCase() === k.toLowerCase(),
          );
          if (!rel) continue;
          validate(((v as { records?: unknown[] }).records ?? []) as unknown[], rel.childSObject, level + 1);
        }
      }
    };
    validate(records, rootSchema.name, 1);
    if (count > MAX_TREE) throw invalidRequest(`The request exceeds the limit of ${MAX_TREE} records.`);

    const results: { referenceId: string; id: string }[] = [];
    let failure: { referenceId: string; errors: unknown[] } | undefined;
    const insert = (list: unknown[], objectName: string, parent?: { field: string; id: string }): void => {
      const schema = org.requireSchema(objectName);
      for (const raw of list) {
        const rec = raw as Record<string, unknown>;
        const referenceId = (rec.attributes as { referenceId: string }).referenceId;
        const fields: Record<string, unknown> = {};
        const children: { rel: string; child: string; field: string; list: unknown[] }[] = [];
        for (const [k, v] of Object.entries(rec)) {
          if (k === 'attributes') continue;
          const rel = schema.childRelationships.find(
            (c) => c.relationshipName?.toLowerCase() === k.toLowerCase(),
          );
          if (rel && v && typeof v === 'object' && !Array.isArray(v)) {
            children.push({
              rel: k,
              child: rel.childSObject,
              field: rel.field,
              list: ((v as { records?: unknown[] }).records ?? []) as unknown[],
            });
          } else fields[k] = v;
        }
        if (parent) fields[parent.field] = parent.id;
        let id: string;
        try {
          id = org.create(objectName, fields);
        } catch (e) {
          if (!isApiError(e)) throw e;
          failure = { referenceId, errors: [e.toSaveError()] };
          throw new Halt();
        }
        results.push({ referenceId, id });
        for (const c of children) insert(c.list, c.child, { field: c.field, id });
      }
    };
    try {
      // The whole tree is one transaction: any failure rolls back every record.
      org.store.transaction(() => insert(records, rootSchema.name));
    } catch (e) {
      if (!(e instanceof Halt)) throw e;
    }
    if (failure) return { status: 400, body: { hasErrors: true, results: [failure] } };
    return { status: 201, body: { hasErrors: false, results } };
  }
}
