/**
 * The standard objects the product touches, with the fields, types, lengths and relationships their
 * describe results show in a Developer Edition org (API v66.0). Field facts follow the Object Reference
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/) and the
 * Field Reference (https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/).
 */
import type { ChildRelationshipSchema, FieldSchema, FieldType, ObjectSchema } from './types.ts';

type FieldOptions = Partial<Omit<FieldSchema, 'name' | 'type'>>;

const LONG_TEXT = new Set<FieldType>(['textarea', 'base64']);

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldSchema {
  const sortable = !LONG_TEXT.has(type) || (options.length ?? 0) <= 255;
  const filterable = sortable && type !== 'address';
  return {
    label: options.label ?? labelOf(name),
    nillable: true,
    createable: true,
    updateable: true,
    filterable,
    sortable,
    groupable: filterable && !['double', 'currency', 'percent', 'datetime'].includes(type),
    ...(type === 'reference' ? { relationshipName: relationshipNameOf(name) } : {}),
    ...options,
    name,
    type,
  };
}

function labelOf(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/Id$/, ' ID')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

function relationshipNameOf(name: string): string | null {
  if (name.endsWith('__c')) return name.replace(/__c$/, '__r');
  return name.endsWith('Id') ? name.slice(0, -2) : null;
}

const readOnly: FieldOptions = { createable: false, updateable: false };
const required: FieldOptions = { nillable: false };
const createOnly: FieldOptions = { updateable: false };

type PicklistValue = NonNullable<FieldSchema['picklistValues']>[number];

function picklist(values: string[], defaultValue?: string): readonly PicklistValue[] {
  return values.map((v) => ({ value: v, label: v, active: true, defaultValue: v === defaultValue }));
}

/**
 * Fields every object has (Id, the audit fields and, unless `isDeleted: false` as on the setup
 * objects of security-objects.ts, IsDeleted).
 */
export function systemFields(options: { owner?: boolean; isDeleted?: boolean } = {}): FieldSchema[] {
  const fields = [
    field('Id', 'id', { ...readOnly, ...required, label: 'Record ID', defaultedOnCreate: true, length: 18 }),
    ...(options.isDeleted === false
      ? []
      : [
          field('IsDeleted', 'boolean', {
            ...readOnly,
            ...required,
            label: 'Deleted',
            defaultedOnCreate: true,
          }),
        ]),
    field('CreatedDate', 'datetime', { ...readOnly, ...required, defaultedOnCreate: true }),
    field('CreatedById', 'reference', {
      ...readOnly,
      ...required,
      referenceTo: ['User'],
      defaultedOnCreate: true,
    }),
    field('LastModifiedDate', 'datetime', { ...readOnly, ...required, defaultedOnCreate: true }),
    field('LastModifiedById', 'reference', {
      ...readOnly,
      ...required,
      referenceTo: ['User'],
      defaultedOnCreate: true,
    }),
    field('SystemModstamp', 'datetime', { ...readOnly, ...required, defaultedOnCreate: true }),
  ];
  if (options.owner) {
    fields.push(
      field('OwnerId', 'reference', {
        ...required,
        referenceTo: ['User'],
        defaultedOnCreate: true,
        label: 'Owner ID',
      }),
    );
  }
  return fields;
}

const address = (prefix: string): FieldSchema[] => [
  field(`${prefix}Street`, 'textarea', { length: 255 }),
  field(`${prefix}City`, 'string', { length: 40 }),
  field(`${prefix}State`, 'string', { length: 80 }),
  field(`${prefix}PostalCode`, 'string', { length: 20 }),
  field(`${prefix}Country`, 'string', { length: 80 }),
];

const child = (
  relationshipName: string | null,
  childSObject: string,
  fieldName: string,
  cascadeDelete = false,
): ChildRelationshipSchema => ({ relationshipName, childSObject, field: fieldName, cascadeDelete });

/** Child relationships every record that can own activities and files has. */
const activityChildren = (who: boolean): ChildRelationshipSchema[] => [
  child('Events', 'Event', who ? 'WhoId' : 'WhatId', true),
  child('Tasks', 'Task', who ? 'WhoId' : 'WhatId', true),
  child('ContentDocumentLinks', 'ContentDocumentLink', 'LinkedEntityId', true),
];

interface ObjectOptions {
  label: string;
  labelPlural: string;
  keyPrefix: string | null;
  fields: FieldSchema[];
  childRelationships?: ChildRelationshipSchema[];
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  searchable?: boolean;
}

function object(name: string, o: ObjectOptions): ObjectSchema {
  return {
    name,
    label: o.label,
    labelPlural: o.labelPlural,
    keyPrefix: o.keyPrefix,
    fields: o.fields,
    childRelationships: o.childRelationships ?? [],
    createable: o.createable ?? true,
    updateable: o.updateable ?? true,
    deletable: o.deletable ?? true,
    queryable: true,
    searchable: o.searchable ?? false,
    custom: false,
  };
}

const ACTIVITY_TYPES = ['Call', 'Email', 'Meeting', 'Other'];

/** Fields Event and Task share (the Activity fields). */
function activityFields(kind: 'Event' | 'Task'): FieldSchema[] {
  return [
    field('WhoId', 'reference', { referenceTo: ['Contact', 'Lead'], label: 'Name ID' }),
    field('WhatId', 'reference', { referenceTo: ['Account', 'Opportunity'], label: 'Related To ID' }),
    field('AccountId', 'reference', { ...readOnly, referenceTo: ['Account'] }),
    field('Subject', 'combobox', {
      length: 255,
      picklistValues: picklist(
        kind === 'Event'
          ? ['Call', 'Email', 'Meeting', 'Send Letter/Quote', 'Other']
          : ['Call', 'Send Letter', 'Send Quote', 'Other'],
      ),
    }),
    field('Description', 'textarea', { length: 32000, label: 'Description' }),
    field('Type', 'picklist', { length: 40, picklistValues: picklist(ACTIVITY_TYPES) }),
    field('ActivityDate', 'date', { label: 'Due Date Only' }),
    field('WhoCount', 'int', { ...readOnly, label: 'Relation Count' }),
    field('WhatCount', 'int', { ...readOnly, label: 'Related To Count' }),
  ];
}

/** EventWhoRelation and TaskWhoRelation: read-only views of the parent's Who relations. */
function whoRelation(parent: 'Event' | 'Task', keyPrefix: string): ObjectSchema {
  return object(`${parent}WhoRelation`, {
    label: `${parent} Who Relation`,
    labelPlural: `${parent} Who Relations`,
    keyPrefix,
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      ...systemFields(),
      field(`${parent}Id`, 'reference', { ...readOnly, referenceTo: [parent] }),
      field('AccountId', 'reference', { ...readOnly, referenceTo: ['Account'] }),
      field('RelationId', 'reference', { ...readOnly, referenceTo: ['Contact', 'Lead'] }),
      field('Type', 'string', { ...readOnly, length: 255 }),
    ],
  });
}

export function standardObjects(): ObjectSchema[] {
  return [
    object('Account', {
      label: 'Account',
      labelPlural: 'Accounts',
      keyPrefix: '001',
      searchable: true,
      fields: [
        ...systemFields({ owner: true }),
        field('Name', 'string', { ...required, length: 255, nameField: true, label: 'Account Name' }),
        field('Type', 'picklist', {
          length: 255,
          picklistValues: picklist([
            'Prospect',
            'Customer - Direct',
            'Customer - Channel',
            'Partner',
            'Other',
          ]),
        }),
        field('ParentId', 'reference', { referenceTo: ['Account'] }),
        ...address('Billing'),
        ...address('Shipping'),
        field('Phone', 'phone', { length: 40 }),
        field('Website', 'url', { length: 255 }),
        field('Industry', 'picklist', {
          length: 255,
          picklistValues: picklist([
            'Technology',
            'Finance',
            'Healthcare',
            'Manufacturing',
            'Retail',
            'Other',
          ]),
        }),
        field('AnnualRevenue', 'currency'),
        field('NumberOfEmployees', 'int', { label: 'Employees' }),
        field('AccountNumber', 'string', { length: 40 }),
        field('Description', 'textarea', { length: 32000 }),
        field('LastActivityDate', 'date', readOnly),
      ],
      childRelationships: [
        child('ChildAccounts', 'Account', 'ParentId'),
        child('Contacts', 'Contact', 'AccountId', true),
        child('Opportunities', 'Opportunity', 'AccountId', true),
        child(null, 'Event', 'AccountId'),
        child(null, 'Task', 'AccountId'),
        ...activityChildren(false),
      ],
    }),
    object('Contact', {
      label: 'Contact',
      labelPlural: 'Contacts',
      keyPrefix: '003',
      searchable: true,
      fields: [
        ...systemFields({ owner: true }),
        field('AccountId', 'reference', { referenceTo: ['Account'] }),
        field('LastName', 'string', { ...required, length: 80 }),
        field('FirstName', 'string', { length: 40 }),
        field('Salutation', 'picklist', {
          length: 40,
          picklistValues: picklist(['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.']),
        }),
        field('Name', 'string', {
          ...readOnly,
          ...required,
          length: 121,
          nameField: true,
          label: 'Full Name',
        }),
        ...address('Mailing'),
        field('Phone', 'phone', { length: 40 }),
        field('MobilePhone', 'phone', { length: 40 }),
        field('Email', 'email', { length: 80 }),
        field('Title', 'string', { length: 128 }),
        field('Department', 'string', { length: 80 }),
        field('LeadSource', 'picklist', {
          length: 255,
          picklistValues: picklist(['Web', 'Phone Inquiry', 'Partner Referral', 'Other']),
        }),
        field('ReportsToId', 'reference', { referenceTo: ['Contact'] }),
        field('Description', 'textarea', { length: 32000 }),
        field('LastActivityDate', 'date', readOnly),
      ],
      childRelationships: [
        child('OpportunityContactRoles', 'OpportunityContactRole', 'ContactId', true),
        child(null, 'EventRelation', 'RelationId', true),
        child(null, 'TaskRelation', 'RelationId', true),
        ...activityChildren(true),
      ],
    }),
    object('Lead', {
      label: 'Lead',
      labelPlural: 'Leads',
      keyPrefix: '00Q',
      searchable: true,
      fields: [
        ...systemFields({ owner: true }),
        field('LastName', 'string', { ...required, length: 80 }),
        field('FirstName', 'string', { length: 40 }),
        field('Name', 'string', {
          ...readOnly,
          ...required,
          length: 121,
          nameField: true,
          label: 'Full Name',
        }),
        field('Company', 'string', { ...required, length: 255 }),
        field('Title', 'string', { length: 128 }),
        field('Email', 'email', { length: 80 }),
        field('Phone', 'phone', { length: 40 }),
        field('Status', 'picklist', {
          ...required,
          defaultedOnCreate: true,
          length: 255,
          label: 'Lead Status',
          picklistValues: picklist(
            ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
            'Open - Not Contacted',
          ),
        }),
        field('LeadSource', 'picklist', {
          length: 255,
          picklistValues: picklist(['Web', 'Phone Inquiry', 'Partner Referral', 'Other']),
        }),
        field('IsConverted', 'boolean', {
          ...required,
          ...createOnly,
          defaultedOnCreate: true,
          label: 'Converted',
        }),
        field('ConvertedAccountId', 'reference', { ...readOnly, referenceTo: ['Account'] }),
        field('ConvertedContactId', 'reference', { ...readOnly, referenceTo: ['Contact'] }),
        field('ConvertedOpportunityId', 'reference', { ...readOnly, referenceTo: ['Opportunity'] }),
        field('Description', 'textarea', { length: 32000 }),
      ],
      childRelationships: [child(null, 'EventRelation', 'RelationId', true), ...activityChildren(true)],
    }),
    object('Opportunity', {
      label: 'Opportunity',
      labelPlural: 'Opportunities',
      keyPrefix: '006',
      searchable: true,
      fields: [
        ...systemFields({ owner: true }),
        field('AccountId', 'reference', { referenceTo: ['Account'] }),
        field('Name', 'string', { ...required, length: 120, nameField: true }),
        field('Description', 'textarea', { length: 32000 }),
        field('StageName', 'picklist', {
          ...required,
          length: 255,
          label: 'Stage',
          picklistValues: picklist([
            'Prospecting',
            'Qualification',
            'Needs Analysis',
            'Value Proposition',
            'Id. Decision Makers',
            'Perception Analysis',
            'Proposal/Price Quote',
            'Negotiation/Review',
            'Closed Won',
            'Closed Lost',
          ]),
        }),
        field('Amount', 'currency'),
        field('Probability', 'percent', { label: 'Probability (%)' }),
        field('CloseDate', 'date', required),
        field('Type', 'picklist', {
          length: 255,
          picklistValues: picklist(['Existing Business', 'New Business']),
        }),
        field('IsClosed', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true, label: 'Closed' }),
        field('IsWon', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true, label: 'Won' }),
        field('LastActivityDate', 'date', readOnly),
      ],
      childRelationships: [
        child('OpportunityContactRoles', 'OpportunityContactRole', 'OpportunityId', true),
        ...activityChildren(false),
      ],
    }),
    object('OpportunityContactRole', {
      label: 'Opportunity Contact Role',
      labelPlural: 'Opportunity Contact Role',
      keyPrefix: '00K',
      fields: [
        ...systemFields(),
        field('OpportunityId', 'reference', { ...required, ...createOnly, referenceTo: ['Opportunity'] }),
        field('ContactId', 'reference', { ...required, referenceTo: ['Contact'] }),
        field('Role', 'picklist', {
          length: 40,
          picklistValues: picklist([
            'Business User',
            'Decision Maker',
            'Economic Buyer',
            'Economic Decision Maker',
            'Evaluator',
            'Executive Sponsor',
            'Influencer',
            'Technical Buyer',
            'Other',
          ]),
        }),
        field('IsPrimary', 'boolean', { ...required, defaultedOnCreate: true, label: 'Primary' }),
      ],
    }),
    object('User', {
      label: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      searchable: true,
      deletable: false,
      fields: [
        ...systemFields(),
        field('Username', 'string', { ...required, length: 80, unique: true }),
        field('LastName', 'string', { ...required, length: 80 }),
        field('FirstName', 'string', { length: 40 }),
        field('Name', 'string', {
          ...readOnly,
          ...required,
          length: 121,
          nameField: true,
          label: 'Full Name',
        }),
        field('Alias', 'string', { ...required, length: 8 }),
        field('Email', 'email', { ...required, length: 128 }),
        field('Title', 'string', { length: 80 }),
        field('CompanyName', 'string', { length: 80 }),
        field('IsActive', 'boolean', { ...required, defaultedOnCreate: true, label: 'Active' }),
        field('UserType', 'picklist', { ...readOnly, length: 40, picklistValues: picklist(['Standard']) }),
        field('TimeZoneSidKey', 'picklist', { ...required, length: 40 }),
        field('LocaleSidKey', 'picklist', { ...required, length: 40 }),
        field('LanguageLocaleKey', 'picklist', { ...required, length: 40 }),
        field('EmailEncodingKey', 'picklist', { ...required, length: 40 }),
        field('ProfileId', 'reference', { ...required, referenceTo: ['Profile'], label: 'Profile ID' }),
      ],
      childRelationships: [child(null, 'Event', 'OwnerId'), child(null, 'Task', 'OwnerId')],
    }),
    object('Profile', {
      label: 'Profile',
      labelPlural: 'Profiles',
      keyPrefix: '00e',
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        ...systemFields().filter((f) => f.name !== 'IsDeleted'),
        field('Name', 'string', { ...readOnly, ...required, length: 255, nameField: true }),
        field('UserType', 'picklist', { ...readOnly, length: 40, picklistValues: picklist(['Standard']) }),
        field('Description', 'string', { ...readOnly, length: 255 }),
      ],
      childRelationships: [child('Users', 'User', 'ProfileId')],
    }),
    object('Organization', {
      label: 'Organization',
      labelPlural: 'Organizations',
      keyPrefix: '00D',
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        ...systemFields().filter((f) => f.name !== 'IsDeleted'),
        field('Name', 'string', { ...readOnly, ...required, length: 80, nameField: true }),
        field('Division', 'string', { ...readOnly, length: 80 }),
        field('OrganizationType', 'picklist', { ...readOnly, length: 40, label: 'Edition' }),
        field('InstanceName', 'string', { ...readOnly, length: 5 }),
        field('IsSandbox', 'boolean', { ...readOnly, ...required }),
        field('TrialExpirationDate', 'datetime', readOnly),
        field('NamespacePrefix', 'string', { ...readOnly, length: 15 }),
        field('DefaultLocaleSidKey', 'picklist', { ...readOnly, length: 40 }),
        field('LanguageLocaleKey', 'picklist', { ...readOnly, length: 40 }),
        field('TimeZoneSidKey', 'picklist', { ...readOnly, length: 40 }),
      ],
    }),
    object('Event', {
      label: 'Event',
      labelPlural: 'Events',
      keyPrefix: '00U',
      searchable: true,
      fields: [
        ...systemFields({ owner: true }),
        ...activityFields('Event'),
        field('Location', 'string', { length: 255 }),
        field('IsAllDayEvent', 'boolean', { ...required, defaultedOnCreate: true, label: 'All-Day Event' }),
        field('ActivityDateTime', 'datetime', { label: 'Due Date Time' }),
        field('DurationInMinutes', 'int', { label: 'Duration' }),
        field('StartDateTime', 'datetime', { label: 'Start Date Time' }),
        field('EndDateTime', 'datetime', { label: 'End Date Time' }),
        field('EndDate', 'date', { ...readOnly, label: 'End Date' }),
        field('IsPrivate', 'boolean', { ...required, defaultedOnCreate: true, label: 'Private' }),
        field('ShowAs', 'picklist', {
          length: 40,
          defaultedOnCreate: true,
          label: 'Show Time As',
          picklistValues: picklist(['Busy', 'OutOfOffice', 'Free'], 'Busy'),
        }),
        field('IsChild', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true }),
        field('IsGroupEvent', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true }),
        field('GroupEventType', 'picklist', {
          ...readOnly,
          length: 40,
          picklistValues: picklist(['0', '1', '2']),
        }),
        field('EventSubtype', 'picklist', {
          ...createOnly,
          length: 40,
          defaultedOnCreate: true,
          picklistValues: picklist(['Event'], 'Event'),
        }),
        field('IsReminderSet', 'boolean', { ...required, defaultedOnCreate: true, label: 'Reminder Set' }),
      ],
      childRelationships: [
        child('EventRelations', 'EventRelation', 'EventId', true),
        child('EventWhoRelations', 'EventWhoRelation', 'EventId', true),
        child('ContentDocumentLinks', 'ContentDocumentLink', 'LinkedEntityId', true),
      ],
    }),
    object('Task', {
      label: 'Task',
      labelPlural: 'Tasks',
      keyPrefix: '00T',
      searchable: true,
      fields: [
        ...systemFields({ owner: true }),
        ...activityFields('Task'),
        field('Status', 'picklist', {
          ...required,
          defaultedOnCreate: true,
          length: 40,
          picklistValues: picklist(
            ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
            'Not Started',
          ),
        }),
        field('Priority', 'picklist', {
          ...required,
          defaultedOnCreate: true,
          length: 40,
          picklistValues: picklist(['High', 'Normal', 'Low'], 'Normal'),
        }),
        field('IsHighPriority', 'boolean', {
          ...readOnly,
          ...required,
          defaultedOnCreate: true,
          label: 'High Priority',
        }),
        field('IsClosed', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true, label: 'Closed' }),
        field('CompletedDateTime', 'datetime', { ...readOnly, label: 'Completed Date/Time' }),
        field('TaskSubtype', 'picklist', {
          ...createOnly,
          length: 40,
          defaultedOnCreate: true,
          picklistValues: picklist(['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], 'Task'),
        }),
        // The call fields every Task has (Salesforce CRM Call Center fills them, the API may too):
        // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_guidelines_callcenter.htm
        field('CallDurationInSeconds', 'int', { label: 'Call Duration' }),
        field('CallObject', 'string', { length: 255, label: 'Call Object Identifier' }),
        field('CallDisposition', 'string', { length: 255, label: 'Call Result' }),
        field('CallType', 'picklist', {
          length: 40,
          label: 'Call Type',
          picklistValues: picklist(['Internal', 'Inbound', 'Outbound']),
        }),
        field('IsReminderSet', 'boolean', { ...required, defaultedOnCreate: true, label: 'Reminder Set' }),
      ],
      childRelationships: [
        child('TaskRelations', 'TaskRelation', 'TaskId', true),
        child('TaskWhoRelations', 'TaskWhoRelation', 'TaskId', true),
        child('ContentDocumentLinks', 'ContentDocumentLink', 'LinkedEntityId', true),
      ],
    }),
    object('EventRelation', {
      label: 'Event Relation',
      labelPlural: 'Event Relations',
      keyPrefix: '0RE',
      fields: [
        ...systemFields(),
        field('EventId', 'reference', { ...required, ...createOnly, referenceTo: ['Event'] }),
        field('AccountId', 'reference', { ...readOnly, referenceTo: ['Account'] }),
        field('RelationId', 'reference', {
          ...required,
          ...createOnly,
          referenceTo: ['Contact', 'Lead', 'User', 'Account', 'Opportunity'],
        }),
        field('IsInvitee', 'boolean', { ...required, defaultedOnCreate: true }),
        field('IsParent', 'boolean', { ...required, defaultedOnCreate: true }),
        field('IsWhat', 'boolean', { ...required, ...createOnly, defaultedOnCreate: true }),
        field('Status', 'picklist', {
          length: 40,
          defaultedOnCreate: true,
          picklistValues: picklist(['New', 'Declined', 'Accepted'], 'New'),
        }),
        field('RespondedDate', 'datetime', { label: 'Response Date' }),
        field('Response', 'string', { length: 255 }),
      ],
    }),
    whoRelation('Event', '0RE'),
    object('TaskRelation', {
      label: 'Task Relation',
      labelPlural: 'Task Relations',
      keyPrefix: '0RT',
      // TaskRelation supports create and delete, not update.
      updateable: false,
      fields: [
        ...systemFields(),
        field('TaskId', 'reference', { ...required, ...createOnly, referenceTo: ['Task'] }),
        field('AccountId', 'reference', { ...readOnly, referenceTo: ['Account'] }),
        field('RelationId', 'reference', {
          ...required,
          ...createOnly,
          referenceTo: ['Contact', 'Lead', 'Account', 'Opportunity'],
        }),
        field('IsWhat', 'boolean', { ...required, ...createOnly, defaultedOnCreate: true }),
      ],
    }),
    whoRelation('Task', '0RT'),
    object('ContentDocument', {
      label: 'Content Document',
      labelPlural: 'Content Documents',
      keyPrefix: '069',
      createable: false,
      fields: [
        ...systemFields({ owner: true }),
        field('Title', 'string', { ...required, length: 255, nameField: true }),
        field('FileType', 'string', { ...readOnly, length: 20 }),
        field('FileExtension', 'string', { ...readOnly, length: 40 }),
        field('ContentSize', 'int', { ...readOnly, label: 'Size' }),
        field('LatestPublishedVersionId', 'reference', { ...readOnly, referenceTo: ['ContentVersion'] }),
        field('Description', 'textarea', { length: 1000 }),
        field('IsArchived', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true }),
        field('PublishStatus', 'picklist', {
          ...readOnly,
          length: 40,
          picklistValues: picklist(['U', 'P', 'R']),
        }),
      ],
      childRelationships: [child('ContentDocumentLinks', 'ContentDocumentLink', 'ContentDocumentId', true)],
    }),
    object('ContentNote', {
      label: 'Note',
      labelPlural: 'Notes',
      keyPrefix: '069',
      fields: [
        ...systemFields({ owner: true }),
        field('Title', 'string', { ...required, length: 255, nameField: true }),
        field('Content', 'base64', { label: 'Note Content' }),
        field('TextPreview', 'string', { ...readOnly, length: 300 }),
        field('FileType', 'string', { ...readOnly, length: 20 }),
        field('FileExtension', 'string', { ...readOnly, length: 40 }),
        field('ContentSize', 'int', { ...readOnly, label: 'Size' }),
        field('IsReadOnly', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true }),
        field('LatestPublishedVersionId', 'reference', { ...readOnly, referenceTo: ['ContentVersion'] }),
        field('LatestContentId', 'reference', { ...readOnly, referenceTo: ['ContentVersion'] }),
      ],
      childRelationships: [child(null, 'ContentDocumentLink', 'ContentDocumentId', true)],
    }),
    object('ContentDocumentLink', {
      label: 'Content Document Link',
      labelPlural: 'Content Document Link',
      keyPrefix: '06A',
      fields: [
        ...systemFields().filter(
          (f) => !['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById'].includes(f.name),
        ),
        field('LinkedEntityId', 'reference', {
          ...required,
          ...createOnly,
          referenceTo: ['Account', 'Contact', 'Lead', 'Opportunity', 'User', 'Organization', 'Event', 'Task'],
          label: 'Linked Entity ID',
        }),
        field('ContentDocumentId', 'reference', {
          ...required,
          ...createOnly,
          referenceTo: ['ContentDocument'],
        }),
        field('ShareType', 'picklist', { length: 40, picklistValues: picklist(['V', 'C', 'I']) }),
        field('Visibility', 'picklist', {
          length: 40,
          defaultedOnCreate: true,
          picklistValues: picklist(['AllUsers', 'InternalUsers', 'SharedUsers']),
        }),
      ],
    }),
  ];
}
