/**
 * `query?q=…&columns=true`: the column metadata of a SOQL query (what the sf CLI's `data query` and the
 * Developer Console ask for to lay out results). Undocumented by Salesforce; the shape follows what
 * orgs answer and what @salesforce/plugin-data reads (columnMetadata[].columnName/joinColumns/aggregate).
 */
import { parseQuery, type FieldType as SoqlField } from '@jetstreamapp/soql-parser-js';
import type { Org } from '../org/org.ts';
import type { FieldSchema, ObjectSchema } from '../schema/types.ts';

interface Column {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: Column[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

const APEX: Record<string, string> = {
  id: 'Id',
  reference: 'Id',
  boolean: 'Boolean',
  int: 'Integer',
  double: 'Double',
  currency: 'Decimal',
  percent: 'Decimal',
  date: 'Date',
  datetime: 'Datetime',
  base64: 'Blob',
};

function column(
  name: string,
  display: string,
  f: FieldSchema | undefined,
  joins: Column[] = [],
  aggregate = false,
): Column {
  const type = f?.type ?? 'string';
  return {
    aggregate,
    apexType: joins.length ? null : (APEX[type] ?? 'String'),
    booleanType: type === 'boolean',
    columnName: name,
    custom: name.endsWith('__c') || name.endsWith('__r'),
    displayName: display,
    foreignKeyName: null,
    insertable: f?.createable ?? false,
    joinColumns: joins,
    numberType: ['int', 'double', 'currency', 'percent'].includes(type),
    textType:
      !joins.length &&
      !aggregate &&
      !['boolean', 'int', 'double', 'currency', 'percent', 'date', 'datetime'].includes(type),
    updatable: f?.updateable ?? false,
  };
}

export function queryColumns(org: Org, soql: string): Record<string, unknown> {
  const q = parseQuery(soql);
  const root = org.requireSchema(q.sObject ?? '');
  let expr = 0;
  const lookup = (s: ObjectSchema | undefined, name: string) => (s ? org.field(s.name, name) : undefined);
  const relTarget = (
    s: ObjectSchema | undefined,
    rel: string,
  ): { field?: FieldSchema; schema?: ObjectSchema } => {
    const f = s?.fields.find((x) => x.relationshipName?.toLowerCase() === rel.toLowerCase());
    const target = f?.referenceTo?.length === 1 ? org.schema(f.referenceTo[0]!) : undefined;
    return { ...(f ? { field: f } : {}), ...(target ? { schema: target } : {}) };
  };
  const build = (fields: SoqlField[], s: ObjectSchema | undefined, prefix: string): Column[] =>
    fields.flatMap((fld): Column[] => {
      switch (fld.type) {
        case 'Field': {
          const f = lookup(s, fld.field);
          const name = f?.name ?? fld.field;
          return [column(name, prefix + name, f)];
        }
        case 'FieldRelationship': {
          // Account.Owner.Name → Account { Owner { Name } }
          const chain = [...fld.relationships, fld.field];
          const nest = (at: ObjectSchema | undefined, i: number, path: string): Column => {
            const part = chain[i]!;
            if (i === chain.length - 1) {
              const f = lookup(at, part);
              return column(f?.name ?? part, path + (f?.name ?? part), f);
            }
            const { field, schema } = relTarget(at, part);
            const relName = field?.relationshipName ?? part;
            return {
              ...column(relName, path + relName, field, [nest(schema, i + 1, `${path}${relName}.`)]),
              foreignKeyName: field?.name ?? null,
            };
          };
          return [nest(s, 0, prefix)];
        }
        case 'FieldFunctionExpression': {
          const name = fld.alias ?? `expr${expr++}`;
          return [column(name, fld.rawValue ?? fld.functionName, undefined, [], fld.isAggregateFn === true)];
        }
        case 'FieldSubquery': {
          const relName = fld.subquery.relationshipName;
          const rel = s?.childRelationships.find(
            (c) => c.relationshipName?.toLowerCase() === relName.toLowerCase(),
          );
          const child = rel ? org.schema(rel.childSObject) : undefined;
          const name = rel?.relationshipName ?? relName;
          return [column(name, name, undefined, build(fld.subquery.fields ?? [], child, ''), true)];
        }
        case 'FieldTypeof': {
          const { field } = relTarget(s, fld.field);
          return [column(field?.relationshipName ?? fld.field, prefix + fld.field, field, [])];
        }
        default:
          return [];
      }
    });
  const columns = build(q.fields ?? [], root, '');
  return {
    columnMetadata: columns,
    entityName: root.name,
    groupBy: q.groupBy !== undefined,
    idSelected: columns.some((c) => c.columnName === 'Id'),
    keyPrefix: root.keyPrefix,
  };
}
