/**
 * What the running user cannot see: the executor runs SOQL through the request's user (the REST /query
 * path, where object permissions and field-level security are enforced) and answers the engine's
 * refusal as that user's GraphQL schema would — the field or object is undefined for them.
 */
import { executeGraphql, type GraphqlContext } from '../../src/graphql/execute.ts';
import { QueryError } from '../../src/query/index.ts';
import { standardObjects } from '../../src/schema/objects.ts';

const schemas = new Map(standardObjects().map((s) => [s.name.toLowerCase(), s]));

function context(refuse: QueryError): GraphqlContext & { soql: string[] } {
  const soql: string[] = [];
  return {
    soql,
    apiVersion: '66.0',
    schema: (name) => schemas.get(name.toLowerCase()),
    runSoql: (q) => {
      soql.push(q);
      throw refuse;
    },
  };
}

describe('when the query engine refuses what the running user cannot see', () => {
  it('when a field is hidden by field-level security, then a ValidationError naming the field and no data', () => {
    const ctx = context(
      new QueryError(
        'INVALID_FIELD',
        "\nSELECT Id, Description FROM Event\n           ^\nERROR at Row:1:Column:12\nNo such column 'Description' on entity 'Event'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.",
      ),
    );
    const res = executeGraphql(
      { query: '{ uiapi { query { Event { edges { node { Description { value } } } } } } }' },
      ctx,
    );
    expect(ctx.soql).toEqual(['SELECT Id, Description FROM Event']);
    expect(res).toEqual({
      errors: [
        {
          message:
            "Validation error (FieldUndefined@[uiapi/query/Event]) : Field 'Description' in type 'Event' is undefined",
          locations: [{ line: 1, column: 19 }],
          extensions: { ErrorType: 'ValidationError' },
        },
      ],
    });
  });

  it('when the object is not readable, then the object is undefined in RecordQuery', () => {
    const ctx = context(
      new QueryError(
        'INVALID_TYPE',
        "\nSELECT Id FROM Event\n               ^\nERROR at Row:1:Column:16\nsObject type 'Event' is not supported.",
      ),
    );
    const res = executeGraphql({ query: '{ uiapi { query { Event { totalCount } } } }' }, ctx);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toBe(
      "Validation error (FieldUndefined@[uiapi/query/Event]) : Field 'Event' in type 'RecordQuery' is undefined",
    );
  });

  it('when another refusal comes (sharing, limits), then that connection alone is null with a DataFetchingException', () => {
    const ctx = context(new QueryError('INSUFFICIENT_ACCESS', 'insufficient access rights on object id'));
    const res = executeGraphql({ query: '{ uiapi { query { Event { totalCount } } } }' }, ctx);
    expect(res).toMatchObject({
      data: { uiapi: { query: { Event: null } } },
      errors: [
        {
          message: 'insufficient access rights on object id',
          path: ['uiapi', 'query', 'Event'],
          extensions: { ErrorType: 'DataFetchingException' },
        },
      ],
    });
  });
});
