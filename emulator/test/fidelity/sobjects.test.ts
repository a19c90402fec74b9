/**
 * Probes of sObject resources: rows, errors on create and update, deletes, upsert by external id,
 * describe and global describe. Each states the Salesforce page it follows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalOrg } from '../../src/index.ts';
import { startLoggedIn, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());

const NOT_FOUND = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];

describe('sObject rows', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
  it('when a record is created, then 201 {id, success:true, errors:[]} with an 18-character id of the object prefix', async () => {
    const res = await call('POST', `${V}/sobjects/Account`, { Name: 'Probe Co' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^001[A-Za-z0-9]{15}$/),
      success: true,
      errors: [],
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm,
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_get_field_values.htm
  it('when a record is updated, then 204 with no body, and ?fields= returns only those fields with attributes', async () => {
    const { body } = await call('POST', `${V}/sobjects/Account`, { Name: 'Before' });
    const patch = await call('PATCH', `${V}/sobjects/Account/${body.id}`, { Name: 'After' });
    expect([patch.status, patch.body]).toEqual([204, undefined]);
    const get = await call('GET', `${V}/sobjects/Account/${body.id}?fields=Name,Id`);
    expect(get.body).toEqual({
      attributes: { type: 'Account', url: `${V}/sobjects/Account/${body.id}` },
      Name: 'After',
      Id: body.id,
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
  it('when the object is unknown or no record has the id, then 404 NOT_FOUND', async () => {
    for (const path of [
      `${V}/sobjects/Nope/001000000000000AAA`,
      `${V}/sobjects/Account/001000000000000AAA`,
    ]) {
      const res = await call('GET', path);
      expect([path, res.status, res.body]).toEqual([path, 404, NOT_FOUND]);
    }
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm ("Incorrect ID example")
  it('when the id belongs to another object, then MALFORMED_ID "id value of incorrect type" on Id', async () => {
    const contact = await call('POST', `${V}/sobjects/Contact`, { LastName: 'Other' });
    const res = await call('GET', `${V}/sobjects/Account/${contact.body.id}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: `Account ID: id value of incorrect type: ${contact.body.id}`,
        errorCode: 'MALFORMED_ID',
        fields: ['Id'],
      },
    ]);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_upsert.htm —
  // a segment after the object that is not an id is read as an external id field name.
  it('when the id segment is not an id, then 404 NOT_FOUND naming it as an external id field', async () => {
    const res = await call('GET', `${V}/sobjects/Account/notAnId`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual([
      {
        errorCode: 'NOT_FOUND',
        message: 'Provided external ID field does not exist or is not accessible: notAnId',
      },
    ]);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
  // (API fault codes: INVALID_FIELD); real orgs send it without `fields`, as a body-reading error.
  it('when a create names an unknown field, then 400 INVALID_FIELD "No such column"', async () => {
    const res = await call('POST', `${V}/sobjects/Account`, { Name: 'A', Foo: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      { message: "No such column 'Foo' on sobject of type Account", errorCode: 'INVALID_FIELD' },
    ]);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
  it('when required fields are missing, then 400 REQUIRED_FIELD_MISSING listing them in fields', async () => {
    const res = await call('POST', `${V}/sobjects/Contact`, { FirstName: 'No last name' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: 'Required fields are missing: [LastName]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName'],
      },
    ]);
  });

  it('when a read-only field is written, then 400 INVALID_FIELD_FOR_INSERT_UPDATE naming it', async () => {
    const res = await call('POST', `${V}/sobjects/Account`, {
      Name: 'A',
      CreatedDate: '2020-01-01T00:00:00Z',
    });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['CreatedDate'],
      message: expect.stringMatching(/^Unable to create\/update fields: CreatedDate\./),
    });
  });

  it('when a number field gets text, then 400 JSON_PARSER_ERROR', async () => {
    const res = await call('POST', `${V}/sobjects/Account`, { Name: 'A', NumberOfEmployees: 'many' });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('JSON_PARSER_ERROR');
  });

  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm (Name: 255)
  it('when a text value is longer than the field, then 400 STRING_TOO_LONG with the field and its max length', async () => {
    const res = await call('POST', `${V}/sobjects/Account`, { Name: 'x'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({
      errorCode: 'STRING_TOO_LONG',
      fields: ['Name'],
      message: expect.stringMatching(/^Account Name: data value too large: x+\.\.\. \(max length=255\)$/),
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_delete_record.htm,
  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm (ENTITY_IS_DELETED)
  it('when a record is deleted, then 204, and a second delete, an update or a read answers 404 ENTITY_IS_DELETED', async () => {
    const { body } = await call('POST', `${V}/sobjects/Account`, { Name: 'Doomed' });
    const del = await call('DELETE', `${V}/sobjects/Account/${body.id}`);
    expect([del.status, del.body]).toEqual([204, undefined]);
    // The body real orgs send (a second DELETE, a GET of a deleted record): entity is deleted, fields [].
    for (const [method, payload] of [
      ['DELETE', undefined],
      ['PATCH', { Name: 'x' }],
      ['GET', undefined],
    ] as const) {
      const res = await call(method, `${V}/sobjects/Account/${body.id}`, payload);
      expect([method, res.status, res.body]).toEqual([
        method,
        404,
        [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }],
      ]);
    }
    const all = await call(
      'GET',
      `${V}/queryAll?q=${encodeURIComponent(`SELECT IsDeleted FROM Account WHERE Id = '${body.id}'`)}`,
    );
    expect(all.body.records[0].IsDeleted).toBe(true);
  });
});

describe('upsert by external id', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm —
  // from v46.0 an update answers 200 with created:false; a create answers 201 with created:true.
  it('when an upsert creates and then updates, then 201 created:true, then 200 created:false with the same id', async () => {
    const path = `${V}/sobjects/Event/Salescaling_Meeting_Id__c/probe-1`;
    const body = { Subject: 'Probe', StartDateTime: '2026-03-01T10:00:00Z', DurationInMinutes: 30 };
    const first = await call('PATCH', path, body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^00U/),
      success: true,
      errors: [],
      created: true,
    });
    const second = await call('PATCH', path, { Subject: 'Probe 2' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: first.body.id, success: true, errors: [], created: false });
    const old = await call('PATCH', path.replace(V, '/services/data/v45.0'), { Subject: 'Probe 3' });
    expect([old.status, old.body]).toEqual([204, undefined]);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (300: "the list of
  // matching records"), for an upsert as for a read.
  it('when the external id matches several records, then 300 with the matching record URLs', async () => {
    // A probe on its own Account field: no package field is relied on for this rule.
    const dir = mkdtempSync(join(tmpdir(), 'localorg-ext-'));
    const fields = join(dir, 'force-app', 'main', 'default', 'objects', 'Account', 'fields');
    mkdirSync(fields, { recursive: true });
    writeFileSync(
      join(dir, 'sfdx-project.json'),
      '{"packageDirectories":[{"path":"force-app","default":true}]}',
    );
    writeFileSync(
      join(fields, 'Ext__c.field-meta.xml'),
      '<?xml version="1.0" encoding="UTF-8"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Ext__c</fullName><label>Ext</label><type>Text</type><length>20</length><externalId>true</externalId><unique>false</unique></CustomField>',
    );
    const other = await startLoggedIn({ projectRoot: dir });
    try {
      other.org.seed('Account', [
        { Name: 'a', Ext__c: 'dup' },
        { Name: 'b', Ext__c: 'dup' },
      ]);
      const res = await other.call('PATCH', `${V}/sobjects/Account/Ext__c/dup`, { Name: 'c' });
      expect(res.status).toBe(300);
      expect(res.body).toHaveLength(2);
      for (const url of res.body) expect(url).toMatch(new RegExp(`^${V}/sobjects/Account/001`));
      const get = await other.call('GET', `${V}/sobjects/Account/Ext__c/dup`);
      expect([get.status, get.body]).toEqual([300, res.body]);
    } finally {
      await other.org.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the field is not an external id, then 404 NOT_FOUND', async () => {
    const res = await call('PATCH', `${V}/sobjects/Account/Name/Acme`, { Phone: '1' });
    expect(res.status).toBe(404);
    expect(res.body[0].errorCode).toBe('NOT_FOUND');
  });
});

describe('describe', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
  it('when the global describe is read, then encoding, maxBatchSize 200 and sobjects with keyPrefix and urls', async () => {
    const res = await call('GET', `${V}/sobjects`);
    expect(res.body.encoding).toBe('UTF-8');
    expect(res.body.maxBatchSize).toBe(200);
    const prefixes = Object.fromEntries(
      (res.body.sobjects as { name: string; keyPrefix: string | null }[]).map((o) => [o.name, o.keyPrefix]),
    );
    expect(prefixes).toMatchObject({
      Account: '001',
      Contact: '003',
      Lead: '00Q',
      Event: '00U',
      Task: '00T',
      ContentDocument: '069',
    });
    const account = res.body.sobjects.find((o: { name: string }) => o.name === 'Account');
    expect(account.urls).toMatchObject({
      sobject: `${V}/sobjects/Account`,
      describe: `${V}/sobjects/Account/describe`,
      rowTemplate: `${V}/sobjects/Account/{ID}`,
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm,
  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
  it('when Event is described, then its fields carry the properties clients read and WhoId is polymorphic', async () => {
    const res = await call('GET', `${V}/sobjects/Event/describe`);
    const fields = new Map<string, Record<string, unknown>>(
      res.body.fields.map((f: { name: string }) => [f.name, f]),
    );
    for (const f of fields.values()) {
      for (const key of [
        'name',
        'type',
        'length',
        'nillable',
        'createable',
        'updateable',
        'referenceTo',
        'relationshipName',
        'externalId',
        'custom',
      ]) {
        expect(f).toHaveProperty(key);
      }
    }
    expect(fields.get('WhoId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Contact', 'Lead'],
      relationshipName: 'Who',
      polymorphicForeignKey: true,
    });
    expect(fields.get('AccountId')).toMatchObject({ createable: false, updateable: false });
    expect(fields.get('Subject')).toMatchObject({ length: 255 });
    expect(fields.get('Salescaling_Meeting_Id__c')).toMatchObject({ custom: true, externalId: true });
    const rels = res.body.childRelationships.map((r: { relationshipName: string }) => r.relationshipName);
    expect(rels).toEqual(expect.arrayContaining(['EventRelations']));
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_ifmodifiedsince.htm
  it('when describe is asked with If-Modified-Since after its Last-Modified, then 304', async () => {
    const first = await call('GET', `${V}/sobjects/Account/describe`);
    const lastModified = first.headers.get('last-modified');
    expect(lastModified).toBeTruthy();
    const res = await call('GET', `${V}/sobjects/Account/describe`, undefined, {
      'If-Modified-Since': new Date(Date.parse(lastModified ?? '') + 60_000).toUTCString(),
    });
    expect(res.status).toBe(304);
    // exactly its Last-Modified is not modified either; a date before it gets the describe
    const same = await call('GET', `${V}/sobjects/Account/describe`, undefined, {
      'If-Modified-Since': lastModified ?? '',
    });
    expect(same.status).toBe(304);
    const older = await call('GET', `${V}/sobjects`, undefined, {
      'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT',
    });
    expect(older.status).toBe(200);
  });
});
