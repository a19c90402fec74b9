/**
 * Probes of sObject Describe for the objects the product touches: key prefixes, the field properties the
 * Object Reference lists, child relationship names, the urls map and record type infos.
 */
import type { LocalOrg } from '../../src/index.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());

const describe_ = async (name: string): Promise<Json> => {
  const res = await call('GET', `${V}/sobjects/${name}/describe`);
  expect(res.status).toBe(200);
  return res.body;
};
const field = (d: Json, name: string): Json => d.fields.find((f: Json) => f.name === name);
/** The Object Reference's "Properties" line, as describe flags. */
const props = (f: Json) => ({
  createable: f.createable,
  updateable: f.updateable,
  nillable: f.nillable,
  defaultedOnCreate: f.defaultedOnCreate,
});
const children = (d: Json) =>
  d.childRelationships.map((c: Json) => `${c.childSObject}.${c.field}:${c.relationshipName}`);

// https://help.salesforce.com/s/articleView?id=000385203 (standard key prefixes)
describe('key prefixes', () => {
  it.each([
    ['Account', '001'],
    ['Contact', '003'],
    ['User', '005'],
    ['Opportunity', '006'],
    ['Organization', '00D'],
    ['Lead', '00Q'],
    ['Task', '00T'],
    ['Event', '00U'],
    ['ContentNote', '069'],
    ['ContentDocumentLink', '06A'],
    ['EventRelation', '0RE'],
    ['TaskRelation', '0RT'],
  ])('when %s is described, then its keyPrefix is %s', async (name, prefix) => {
    expect((await describe_(name)).keyPrefix).toBe(prefix);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
describe('Event fields', () => {
  it('when Event is described, then the timing fields carry the properties the Object Reference lists', async () => {
    const d = await describe_('Event');
    const nillableEditable = { createable: true, updateable: true, nillable: true, defaultedOnCreate: false };
    expect(props(field(d, 'DurationInMinutes'))).toEqual(nillableEditable);
    expect(props(field(d, 'ActivityDateTime'))).toEqual(nillableEditable);
    expect(props(field(d, 'EndDateTime'))).toEqual(nillableEditable);
    expect(props(field(d, 'IsAllDayEvent'))).toEqual({
      createable: true,
      updateable: true,
      nillable: false,
      defaultedOnCreate: true,
    });
    expect(field(d, 'DurationInMinutes').type).toBe('int');
    expect(field(d, 'ActivityDateTime').type).toBe('datetime');
    // AccountId: "Properties: Filter, Group, Nillable, Sort" — read-only.
    expect(props(field(d, 'AccountId'))).toMatchObject({ createable: false, updateable: false });
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventattendee.htm
describe('EventRelation fields', () => {
  it('when EventRelation is described, then EventId and RelationId are create-only and the flags defaulted on create', async () => {
    const d = await describe_('EventRelation');
    expect(props(field(d, 'EventId'))).toMatchObject({ createable: true, updateable: false });
    expect(props(field(d, 'RelationId'))).toMatchObject({ createable: true, updateable: false });
    for (const flag of ['IsInvitee', 'IsParent', 'IsWhat'])
      expect(props(field(d, flag))).toMatchObject({
        createable: true,
        defaultedOnCreate: true,
        nillable: false,
      });
    expect(field(d, 'Status').type).toBe('picklist');
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm
describe('ContentDocumentLink fields', () => {
  it('when ContentDocumentLink is described, then ShareType and Visibility are restricted picklists with the documented values', async () => {
    const d = await describe_('ContentDocumentLink');
    const shareType = field(d, 'ShareType');
    expect(shareType).toMatchObject({ type: 'picklist', restrictedPicklist: true, createable: true });
    expect(shareType.picklistValues.map((p: Json) => p.value)).toEqual(
      expect.arrayContaining(['V', 'C', 'I']),
    );
    const visibility = field(d, 'Visibility');
    expect(visibility).toMatchObject({ type: 'picklist', restrictedPicklist: true });
    expect(visibility.picklistValues.map((p: Json) => p.value)).toEqual(
      expect.arrayContaining(['AllUsers', 'InternalUsers', 'SharedUsers']),
    );
    expect(props(field(d, 'LinkedEntityId'))).toMatchObject({ createable: true, updateable: false });
    expect(props(field(d, 'ContentDocumentId'))).toMatchObject({ createable: true, updateable: false });
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm (ChildRelationship)
describe('child relationships', () => {
  it.each([
    [
      'Account',
      [
        'Contact.AccountId:Contacts',
        'Opportunity.AccountId:Opportunities',
        'Event.WhatId:Events',
        'Task.WhatId:Tasks',
      ],
    ],
    [
      'Contact',
      ['Event.WhoId:Events', 'Task.WhoId:Tasks', 'ContentDocumentLink.LinkedEntityId:ContentDocumentLinks'],
    ],
    [
      'Event',
      ['EventRelation.EventId:EventRelations', 'ContentDocumentLink.LinkedEntityId:ContentDocumentLinks'],
    ],
    [
      'Task',
      ['TaskRelation.TaskId:TaskRelations', 'ContentDocumentLink.LinkedEntityId:ContentDocumentLinks'],
    ],
  ])('when %s is described, then its childRelationships name %j', async (name, expected) => {
    expect(children(await describe_(name))).toEqual(expect.arrayContaining(expected));
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_describe.htm —
// the example's urls hold sobject, describe, rowTemplate and the absolute uiDetailTemplate/uiEditTemplate.
describe('urls and record types', () => {
  it('when Account is described, then urls holds the REST paths and the absolute UI templates', async () => {
    const d = await describe_('Account');
    expect(d.urls).toMatchObject({
      sobject: `${V}/sobjects/Account`,
      describe: `${V}/sobjects/Account/describe`,
      rowTemplate: `${V}/sobjects/Account/{ID}`,
      uiDetailTemplate: `${org.url}/{ID}`,
      uiEditTemplate: `${org.url}/{ID}/e`,
      uiNewRecord: `${org.url}/001/e`,
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
  // (RecordTypeInfo: "master … the default record type that's used when a record has no custom record type")
  it.each(['Account', 'Contact', 'Opportunity', 'Lead', 'Event', 'Task'])(
    'when %s is described in an org without custom record types, then recordTypeInfos holds the Master record type',
    async (name) => {
      const d = await describe_(name);
      expect(d.recordTypeInfos).toEqual([
        expect.objectContaining({
          available: true,
          defaultRecordTypeMapping: true,
          master: true,
          name: 'Master',
          recordTypeId: '012000000000000AAA',
          urls: { layout: `${V}/sobjects/${name}/describe/layouts/012000000000000AAA` },
        }),
      ]);
    },
  );
});
