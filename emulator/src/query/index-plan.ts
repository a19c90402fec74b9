/**
 * Which rows a WHERE can keep, in terms a data source's indexes answer (data-source.ts `IndexPlan`):
 * equality and IN on a field (`eq`), `= null`/`= ''` (`null`), `<`, `<=`, `>`, `>=` on a date or
 * datetime against a literal (`range`), and their ORs and ANDs. A condition the indexes cannot answer
 * (NOT, `!=`, LIKE, a relationship path, a function, a date literal such as TODAY, a boolean) makes
 * its OR unplannable and is left out of its AND. The plan only narrows the rows the WHERE is then
 * evaluated on, so it may keep more than the WHERE does, never fewer.
 */
import type { ObjectSchema } from '../schema/types.ts';
import type { IndexPlan } from './data-source.ts';
import { kindOf, normalize, type BoolTree, type RawCondition } from './filter.ts';
import { parseDate, parseDateTime, stringValue } from './literals.ts';

/** The plan for a WHERE tree over `schema` (aliased `alias`), or undefined when only a scan answers it. */
export function indexPlan(
  tree: BoolTree,
  schema: ObjectSchema,
  alias: string | undefined,
): IndexPlan | undefined {
  switch (tree.kind) {
    case 'cond':
      return conditionPlan(tree.cond, schema, alias?.toLowerCase());
    case 'not':
      return undefined;
    case 'or': {
      const items: IndexPlan[] = [];
      for (const item of tree.items) {
        const plan = indexPlan(item, schema, alias);
        if (!plan) return undefined;
        items.push(plan);
      }
      return { kind: 'or', items };
    }
    case 'and': {
      const items = tree.items
        .map((item) => indexPlan(item, schema, alias))
        .filter((p): p is IndexPlan => p !== undefined);
      if (items.length === 0) return undefined;
      return items.length === 1 ? items[0] : { kind: 'and', items };
    }
  }
}

function conditionPlan(
  c: RawCondition,
  schema: ObjectSchema,
  alias: string | undefined,
): IndexPlan | undefined {
  let name = c.field?.toLowerCase();
  if (name !== undefined && alias !== undefined && name.startsWith(`${alias}.`))
    name = name.slice(alias.length + 1);
  if (!name || name.includes('.') || c.valueQuery || c.fn) return undefined;
  const field = schema.fields.find((f) => f.name.toLowerCase() === name);
  if (!field) return undefined;
  const kind = kindOf(field.type);
  const op = c.operator.toUpperCase();
  const values = Array.isArray(c.value) ? c.value : c.value === undefined ? [] : [c.value];
  const types = Array.isArray(c.literalType) ? c.literalType : [c.literalType];
  if (values.length === 0) return undefined;

  if (op === '=' || op === 'IN') {
    if (kind !== 'text' && kind !== 'id') return undefined;
    const keys: string[] = [];
    let nulls = false;
    for (const [i, raw] of values.entries()) {
      const type = types[i] ?? types[0];
      if (type === 'NULL') {
        nulls = true;
        continue;
      }
      if (type !== 'STRING') return undefined;
      let key: ReturnType<typeof normalize>;
      try {
        key = normalize(kind, stringValue(raw));
      } catch {
        return undefined;
      }
      // '' is no value, as Salesforce stores it.
      if (key === null) nulls = true;
      else if (typeof key === 'string') keys.push(key);
      else return undefined;
    }
    const eq: IndexPlan = { kind: 'eq', field: field.name, keys };
    const none: IndexPlan = { kind: 'null', field: field.name };
    if (!nulls) return eq;
    return keys.length === 0 ? none : { kind: 'or', items: [eq, none] };
  }

  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    const type = types[0];
    const raw = values[0] ?? '';
    const at =
      kind === 'datetime' && type === 'DATETIME'
        ? parseDateTime(raw)
        : kind === 'date' && type === 'DATE'
          ? parseDate(raw)
          : undefined;
    if (at === undefined) return undefined;
    // Inclusive bounds either way: the WHERE then drops the rows equal to a strict bound.
    return op.startsWith('<')
      ? { kind: 'range', field: field.name, max: at }
      : { kind: 'range', field: field.name, min: at };
  }
  return undefined;
}
