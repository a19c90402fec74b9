/**
 * A small org for the query engine's tests: Account, Contact, Lead, Opportunity, Event, EventRelation
 * and User schemas shaped like their describe results, with a handful of records (fictional people).
 */
import type {
  ChildRelationshipSchema,
  FieldSchema,
  FieldType,
  ObjectSchema,
  StoredRecord,
} from '../../src/schema/types.ts';
import type { Store } from '../../src/org/store.ts';
import type { QueryDataSource } from '../../src/query/data-source.ts';
import { IdFactory, to18 } from '../../src/ids.ts';

type FieldSpec = [name: string, type: FieldType, extra?: Partial<FieldSchema>];

function field([name, type, extra]: FieldSpec): FieldSchema {
  return {
    name,
    label: name,
    type,
    nillable: true,
    createable: true,
    updateable: true,
    filterable: type !== 'textarea',
    sortable: type !== 'textarea',
    groupable: !['textarea', 'double', 'currency', 'datetime', 'percent'].includes(type),
    ...extra,
  };
}

const ref = (name: string, to: string[], relationshipName: string): FieldSpec => [
  name,
  'reference',
  { referenceTo: to, relationshipName },
];

const common: FieldSpec[] = [
  ['Id', 'id', { nillable: false, createable: false, updateable: false }],
  ['IsDeleted', 'boolean', { nillable: false, createable: false, updateable: false }],
  ['CreatedDate', 'datetime', { createable: false, updateable: false }],
  ['LastModifiedDate', 'datetime', { createable: false, updateable: false }],
];

function schema(
  name: string,
  keyPrefix: string,
  fields: FieldSpec[],
  childRelationships: ChildRelationshipSchema[] = [],
  searchable = true,
): ObjectSchema {
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    keyPrefix,
    fields: [...common, ...fields].map(field),
    childRelationships,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    searchable,
    custom: false,
  };
}

const child = (
  childSObject: string,
  fieldName: string,
  relationshipName: string | null,
): ChildRelationshipSchema => ({
  childSObject,
  field: fieldName,
  relationshipName,
  cascadeDelete: false,
});

export const SCHEMAS: readonly ObjectSchema[] = [
  schema('User', '005', [
    ['Username', 'string'],
    ['Name', 'string', { nameField: true, createable: false }],
    ['FirstName', 'string'],
    ['LastName', 'string'],
    ['Email', 'email'],
    ['Alias', 'string'],
    ['IsActive', 'boolean'],
    ['Phone', 'phone'],
    ref('ManagerId', ['User'], 'Manager'),
  ]),
  schema(
    'Account',
    '001',
    [
      ['Name', 'string', { nameField: true }],
      ['Type', 'picklist'],
      ['Industry', 'picklist'],
      ['Phone', 'phone'],
      ['Website', 'url'],
      ['AnnualRevenue', 'currency'],
      ['NumberOfEmployees', 'int'],
      ['Description', 'textarea'],
      ref('OwnerId', ['User'], 'Owner'),
      ref('ParentId', ['Account'], 'Parent'),
      ['Regions__c', 'multipicklist'],
      ['Salescaling_Score__c', 'double'],
    ],
    [
      child('Contact', 'AccountId', 'Contacts'),
      child('Opportunity', 'AccountId', 'Opportunities'),
      child('Event', 'WhatId', 'Events'),
      child('Account', 'ParentId', 'ChildAccounts'),
      child('Event', 'AccountId', null),
    ],
  ),
  schema(
    'Contact',
    '003',
    [
      ['Name', 'string', { nameField: true, createable: false }],
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['Email', 'email'],
      ['Phone', 'phone'],
      ['Title', 'string'],
      ['Birthdate', 'date'],
      ['HasOptedOutOfEmail', 'boolean'],
      ref('AccountId', ['Account'], 'Account'),
      ref('OwnerId', ['User'], 'Owner'),
    ],
    [child('Event', 'WhoId', 'Events'), child('EventRelation', 'RelationId', null)],
  ),
  schema('Lead', '00Q', [
    ['Name', 'string', { nameField: true, createable: false }],
    ['FirstName', 'string'],
    ['LastName', 'string'],
    ['Company', 'string'],
    ['Email', 'email'],
    ['Phone', 'phone'],
    ['Status', 'picklist'],
    ['IsConverted', 'boolean'],
    ref('OwnerId', ['User'], 'Owner'),
  ]),
  schema('Opportunity', '006', [
    ['Name', 'string', { nameField: true }],
    [
      'StageName',
      'picklist',
      {
        picklistValues: ['Prospecting', 'Qualification', 'Closed Won', 'Closed Lost'].map((value, i) => ({
          value,
          // One label differs from its value, so toLabel() shows.
          label: value === 'Closed Won' ? 'Won' : value,
          active: true,
          defaultValue: i === 0,
        })),
      },
    ],
    ['Amount', 'currency'],
    ['Probability', 'percent'],
    ['CloseDate', 'date'],
    ['IsClosed', 'boolean'],
    ref('AccountId', ['Account'], 'Account'),
    ref('OwnerId', ['User'], 'Owner'),
  ]),
  schema(
    'Event',
    '00U',
    [
      ['Subject', 'combobox'],
      ['StartDateTime', 'datetime'],
      ['EndDateTime', 'datetime'],
      ['ActivityDate', 'date'],
      ['DurationInMinutes', 'int'],
      ['Type', 'picklist'],
      ['Description', 'textarea'],
      ['IsPrivate', 'boolean'],
      ref('WhoId', ['Contact', 'Lead'], 'Who'),
      ref('WhatId', ['Account', 'Opportunity'], 'What'),
      ref('AccountId', ['Account'], 'Account'),
      ref('OwnerId', ['User'], 'Owner'),
    ],
    [child('EventRelation', 'EventId', 'EventRelations')],
    false,
  ),
  schema(
    'EventRelation',
    '0RE',
    [
      ref('EventId', ['Event'], 'Event'),
      ref('RelationId', ['Contact', 'Lead', 'User'], 'Relation'),
      ['IsParent', 'boolean'],
      ['IsInvitee', 'boolean'],
      ['IsWhat', 'boolean'],
      ['Status', 'picklist'],
    ],
    [],
    false,
  ),
];

/** The records of the fixture, by a readable handle. */
export interface Fixture {
  readonly ds: FixtureDataSource;
  readonly ids: Readonly<Record<string, string>>;
}

export class FixtureDataSource implements QueryDataSource {
  readonly userId: string;
  readonly #schemas: readonly ObjectSchema[];
  readonly #records = new Map<string, StoredRecord[]>();
  readonly #byId = new Map<string, { objectName: string; record: StoredRecord }>();

  constructor(schemas: readonly ObjectSchema[], userId: string) {
    this.#schemas = schemas;
    this.userId = userId;
  }

  add(objectName: string, record: StoredRecord): void {
    const list = this.#records.get(objectName) ?? [];
    list.push(record);
    this.#records.set(objectName, list);
    this.#byId.set(String(record['Id']), { objectName, record });
  }

  schema(objectName: string): ObjectSchema | undefined {
    const lower = objectName.toLowerCase();
    return this.#schemas.find((s) => s.name.toLowerCase() === lower);
  }

  *records(objectName: string, options: { includeDeleted: boolean }): Iterable<StoredRecord> {
    const name = this.schema(objectName)?.name ?? objectName;
    for (const r of this.#records.get(name) ?? [])
      if (options.includeDeleted || r['IsDeleted'] !== true) yield r;
  }

  byId(id: string): { objectName: string; record: StoredRecord } | undefined {
    const full = to18(id);
    return full ? this.#byId.get(full) : undefined;
  }
}

const PREFIX: Readonly<Record<string, string>> = {
  User: '005',
  Account: '001',
  Contact: '003',
  Lead: '00Q',
  Opportunity: '006',
  Event: '00U',
  EventRelation: '0RE',
};

/** The fixed clock the tests run at: Tuesday 24 November 2026, noon UTC. */
export const NOW = new Date('2026-11-24T12:00:00.000Z');

export function makeFixture(): Fixture {
  const factory = new IdFactory();
  const ids: Record<string, string> = {};
  const pending: [string, string, Record<string, unknown>][] = [];
  const put = (handle: string, objectName: string, fields: Record<string, unknown>): void => {
    ids[handle] = factory.next(PREFIX[objectName] as string);
    pending.push([handle, objectName, fields]);
  };
  const created = (day: number): string => `2026-11-${String(day).padStart(2, '0')}T09:00:00.000+0000`;

  put('ada', 'User', {
    Username: 'ada@example.com',
    FirstName: 'Ada',
    LastName: 'Admin',
    Email: 'ada@example.com',
    Alias: 'aadmin',
    IsActive: true,
    Phone: null,
    ManagerId: null,
  });
  put('bob', 'User', {
    Username: 'bob@example.com',
    FirstName: 'Bob',
    LastName: 'Seller',
    Email: 'bob@example.com',
    Alias: 'bseller',
    IsActive: true,
    Phone: '+1 415 555 0100',
    ManagerId: 'ada',
  });
  put('cy', 'User', {
    Username: 'cy@example.com',
    FirstName: 'Cy',
    LastName: 'Gone',
    Email: 'cy@example.com',
    Alias: 'cgone',
    IsActive: false,
    Phone: null,
    ManagerId: 'bob',
  });

  put('acme', 'Account', {
    Name: 'Acme',
    Type: 'Customer',
    Industry: 'Technology',
    Phone: '(415) 555-0199',
    Website: 'https://acme.example.com',
    AnnualRevenue: 5000000,
    NumberOfEmployees: 250,
    Description: 'Makes anvils',
    OwnerId: 'bob',
    ParentId: null,
    Regions__c: 'EMEA;AMER',
    Salescaling_Score__c: 0.8,
  });
  put('globex', 'Account', {
    Name: 'Globex',
    Type: 'Prospect',
    Industry: null,
    Phone: null,
    Website: null,
    AnnualRevenue: 1200000,
    NumberOfEmployees: 40,
    Description: null,
    OwnerId: 'ada',
    ParentId: null,
    Regions__c: 'APAC',
    Salescaling_Score__c: null,
  });
  put('obrien', 'Account', {
    Name: "O'Brien & Sons",
    Type: 'Customer',
    Industry: 'Retail',
    Phone: null,
    Website: null,
    AnnualRevenue: null,
    NumberOfEmployees: 12,
    Description: null,
    OwnerId: 'bob',
    ParentId: null,
    Regions__c: null,
    Salescaling_Score__c: 0.3,
  });
  put('acmeSub', 'Account', {
    Name: 'acme subsidiary',
    Type: null,
    Industry: 'Technology',
    Phone: null,
    Website: null,
    AnnualRevenue: 250000,
    NumberOfEmployees: 5,
    Description: null,
    OwnerId: 'bob',
    ParentId: 'acme',
    Regions__c: 'EMEA',
    Salescaling_Score__c: 0.5,
  });
  put('initech', 'Account', {
    Name: 'Initech',
    Type: 'Customer',
    Industry: 'Technology',
    Phone: null,
    Website: null,
    AnnualRevenue: 900000,
    NumberOfEmployees: 80,
    Description: null,
    OwnerId: 'ada',
    ParentId: null,
    Regions__c: null,
    Salescaling_Score__c: null,
    IsDeleted: true,
  });

  put('jane', 'Contact', {
    FirstName: 'Jane',
    LastName: 'Doe',
    Email: 'jane.doe@acme.example.com',
    Phone: '+1 415 555 0101',
    Title: 'CTO',
    Birthdate: '1980-05-17',
    HasOptedOutOfEmail: false,
    AccountId: 'acme',
    OwnerId: 'bob',
  });
  put('john', 'Contact', {
    FirstName: 'John',
    LastName: 'Smith',
    Email: 'JOHN.SMITH@acme.example.com',
    Phone: null,
    Title: 'Buyer',
    Birthdate: null,
    HasOptedOutOfEmail: true,
    AccountId: 'acme',
    OwnerId: 'bob',
  });
  put('liam', 'Contact', {
    FirstName: 'Liam',
    LastName: "O'Brien",
    Email: "o'brien@example.com",
    Phone: null,
    Title: null,
    Birthdate: '1975-11-24',
    HasOptedOutOfEmail: false,
    AccountId: 'obrien',
    OwnerId: 'ada',
  });
  put('orphan', 'Contact', {
    FirstName: null,
    LastName: 'Nobody',
    Email: null,
    Phone: null,
    Title: null,
    Birthdate: null,
    HasOptedOutOfEmail: false,
    AccountId: null,
    OwnerId: 'ada',
  });
  put('percent', 'Contact', {
    FirstName: 'Pat',
    LastName: '100%_Sure',
    Email: 'pat@example.com',
    Phone: null,
    Title: 'Back\\slash',
    Birthdate: null,
    HasOptedOutOfEmail: false,
    AccountId: 'globex',
    OwnerId: 'ada',
  });
  put('gone', 'Contact', {
    FirstName: 'Gina',
    LastName: 'Gone',
    Email: 'gina@initech.example.com',
    Phone: null,
    Title: null,
    Birthdate: null,
    HasOptedOutOfEmail: false,
    AccountId: 'initech',
    OwnerId: 'ada',
    IsDeleted: true,
  });

  put('lara', 'Lead', {
    FirstName: 'Lara',
    LastName: 'Lead',
    Company: 'LeadCo',
    Email: 'lara@leadco.example.com',
    Phone: null,
    Status: 'Open - Not Contacted',
    IsConverted: false,
    OwnerId: 'bob',
  });

  put('renewal', 'Opportunity', {
    Name: 'Acme Renewal',
    StageName: 'Prospecting',
    Amount: 10000,
    Probability: 10,
    CloseDate: '2026-12-01',
    IsClosed: false,
    AccountId: 'acme',
    OwnerId: 'bob',
  });
  put('deal', 'Opportunity', {
    Name: 'Globex Deal',
    StageName: 'Closed Won',
    Amount: 5000,
    Probability: 100,
    CloseDate: '2026-11-20',
    IsClosed: true,
    AccountId: 'globex',
    OwnerId: 'ada',
  });
  put('upsell', 'Opportunity', {
    Name: 'Acme Upsell',
    StageName: 'Prospecting',
    Amount: null,
    Probability: 20,
    CloseDate: '2026-11-24',
    IsClosed: false,
    AccountId: 'acme',
    OwnerId: 'bob',
  });

  put('discovery', 'Event', {
    Subject: 'Discovery call',
    StartDateTime: '2026-11-23T15:00:00.000+0000',
    EndDateTime: '2026-11-23T15:30:00.000+0000',
    ActivityDate: '2026-11-23',
    DurationInMinutes: 30,
    Type: 'Meeting',
    Description: 'Notes',
    IsPrivate: false,
    WhoId: 'jane',
    WhatId: 'acme',
    AccountId: 'acme',
    OwnerId: 'bob',
  });
  put('intro', 'Event', {
    Subject: 'Intro with Lara',
    StartDateTime: '2026-11-25T10:00:00.000+0000',
    EndDateTime: '2026-11-25T11:00:00.000+0000',
    ActivityDate: '2026-11-25',
    DurationInMinutes: 60,
    Type: 'Meeting',
    Description: null,
    IsPrivate: false,
    WhoId: 'lara',
    WhatId: null,
    AccountId: null,
    OwnerId: 'bob',
  });
  put('review', 'Event', {
    Subject: 'Deal review',
    StartDateTime: '2026-10-02T08:00:00.000+0000',
    EndDateTime: '2026-10-02T09:00:00.000+0000',
    ActivityDate: '2026-10-02',
    DurationInMinutes: 60,
    Type: 'Call',
    Description: null,
    IsPrivate: false,
    WhoId: null,
    WhatId: 'deal',
    AccountId: 'globex',
    OwnerId: 'ada',
  });

  put('rel1', 'EventRelation', {
    EventId: 'discovery',
    RelationId: 'jane',
    IsParent: true,
    IsInvitee: false,
    IsWhat: false,
    Status: null,
  });
  put('rel2', 'EventRelation', {
    EventId: 'discovery',
    RelationId: 'john',
    IsParent: true,
    IsInvitee: false,
    IsWhat: false,
    Status: null,
  });
  put('rel3', 'EventRelation', {
    EventId: 'intro',
    RelationId: 'lara',
    IsParent: true,
    IsInvitee: false,
    IsWhat: false,
    Status: null,
  });
  put('rel4', 'EventRelation', {
    EventId: 'intro',
    RelationId: 'ada',
    IsParent: false,
    IsInvitee: true,
    IsWhat: false,
    Status: 'New',
  });

  const ds = new FixtureDataSource(SCHEMAS, ids['ada'] as string);
  let day = 1;
  for (const [handle, objectName, fields] of pending) {
    const record: Record<string, unknown> = {
      Id: ids[handle],
      IsDeleted: false,
      CreatedDate: created(day),
      LastModifiedDate: created(day),
    };
    day = (day % 23) + 1;
    for (const [k, v] of Object.entries(fields)) {
      // Reference fields are written with handles above; swap in the ids.
      const isRef = k.endsWith('Id') && typeof v === 'string' && ids[v] !== undefined;
      record[k] = isRef ? ids[v] : v;
    }
    if (objectName === 'Contact' || objectName === 'Lead' || objectName === 'User') {
      record['Name'] = [fields['FirstName'], fields['LastName']].filter((s) => s).join(' ');
    }
    ds.add(objectName, record as StoredRecord);
  }
  return { ds, ids };
}

/** The same store without its indexes: the engine scans (the baseline the indexed answers must equal). */
export function scanning(store: Store): QueryDataSource {
  return {
    schema: (name) => store.schema(name),
    records: (name, options) => store.records(name, options),
    byId: (id) => store.byId(id),
    userId: store.userId,
  };
}
