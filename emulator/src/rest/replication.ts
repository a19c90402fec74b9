/**
 * sObject Get Deleted / Get Updated: ids deleted or changed between start and end (seconds ignored).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm
 */
import { ApiError } from '../errors.ts';
import type { Org } from '../org/org.ts';
import type { RestHost } from './host.ts';
import { canRead } from './render.ts';
import { allow, type Reply, type SObjectRequest } from './resource.ts';

export class ReplicationResource {
  readonly #org: Org;
  readonly #now: () => number;

  constructor(host: Pick<RestHost, 'org' | 'now'>) {
    this.#org = host.org;
    this.#now = () => host.now();
  }

  /** GET sobjects/{type}/deleted?start=…&end=… and sobjects/{type}/updated?start=…&end=… */
  handle(req: SObjectRequest): Reply {
    allow(req.method, ['GET']);
    const kind = req.path[0] === 'deleted' ? 'deleted' : 'updated';
    const { schema, query } = req;
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
    const earliest = Math.floor(this.#org.createdAt / 60000) * 60000;
    const latest = Math.min(end, Math.floor(this.#now() / 60000) * 60000);
    const fmt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    const inRange = (stamp: unknown) => {
      const t = typeof stamp === 'string' ? Date.parse(stamp.replace('+0000', 'Z')) : NaN;
      return t >= start && t < end;
    };
    const rows = [...this.#org.store.records(schema.name, { includeDeleted: true })].filter((r) =>
      canRead(this.#org, schema.name, r),
    );
    if (kind === 'deleted') {
      return {
        status: 200,
        body: {
          deletedRecords: rows
            .filter((r) => r.IsDeleted === true && inRange(r.SystemModstamp))
            .map((r) => ({ id: r.Id, deletedDate: r.SystemModstamp })),
          earliestDateAvailable: fmt(earliest),
          latestDateCovered: fmt(latest),
        },
      };
    }
    return {
      status: 200,
      body: {
        ids: rows.filter((r) => r.IsDeleted !== true && inRange(r.SystemModstamp)).map((r) => r.Id),
        latestDateCovered: fmt(latest),
      },
    };
  }
}
