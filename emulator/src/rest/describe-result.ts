/**
 * Describe results in the REST API's shape: the global describe
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm),
 * sObject basic information and sObject describe
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm).
 */
import { TEXT_FIELD_TYPES, type FieldSchema, type ObjectSchema } from '../schema/types.ts';

const SOAP_TYPE: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
  base64: 'xsd:base64Binary',
  address: 'urn:address',
  location: 'urn:location',
};

export function objectUrls(version: string, s: ObjectSchema): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${s.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function describeField(f: FieldSchema): Record<string, unknown> {
  const text = TEXT_FIELD_TYPES.has(f.type);
  const length = f.type === 'id' || f.type === 'reference' ? 18 : text ? (f.length ?? 0) : 0;
  const referenceTo = f.referenceTo ?? [];
  return {
    aggregatable: f.groupable ?? f.filterable,
    aiPredictionField: false,
    autoNumber: false,
    byteLength: text ? length * 3 : 0,
    calculated: f.calculated ?? false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: f.caseSensitive ?? false,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable,
    custom: f.name.endsWith('__c'),
    defaultValue: f.type === 'boolean' && f.defaultedOnCreate ? false : null,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultedOnCreate ?? false,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId ?? false,
    extraTypeInfo: f.type === 'textarea' && (f.length ?? 0) > 255 ? 'plaintextarea' : null,
    filterable: f.filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: f.groupable ?? false,
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.type === 'id' || f.externalId === true || (f.unique ?? false),
    inlineHelpText: null,
    label: f.label,
    length,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.nameField ?? false,
    namePointing: referenceTo.length > 1,
    nillable: f.nillable,
    permissionable: f.nillable && f.createable,
    picklistValues: (f.picklistValues ?? []).map((p) => ({ ...p, validFor: null })),
    polymorphicForeignKey: referenceTo.length > 1,
    precision: ['double', 'currency', 'percent'].includes(f.type) ? 18 : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo,
    relationshipName: f.type === 'reference' ? (f.relationshipName ?? null) : null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist ?? (f.name === 'ShareType' || f.name === 'Visibility'),
    scale: ['double', 'currency', 'percent'].includes(f.type) ? 2 : 0,
    searchPrefilterable: false,
    soapType: SOAP_TYPE[f.type] ?? 'xsd:string',
    sortable: f.sortable,
    type: f.type,
    unique: f.unique ?? false,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}

/** The per-object summary used by the global describe and by sObject basic information. */
export function objectSummary(version: string, s: ObjectSchema): Record<string, unknown> {
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable: s.createable,
    custom: s.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: s.deletable,
    deprecatedAndHidden: false,
    feedEnabled: ['Account', 'Contact', 'Lead', 'Opportunity', 'User'].includes(s.name),
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: s.keyPrefix,
    label: s.label,
    labelPlural: s.labelPlural,
    layoutable: s.createable,
    mergeable: ['Account', 'Contact', 'Lead'].includes(s.name),
    mruEnabled: s.searchable,
    name: s.name,
    queryable: s.queryable,
    replicateable: true,
    retrieveable: true,
    searchable: s.searchable,
    triggerable: s.createable,
    undeletable: s.deletable,
    updateable: s.updateable,
    urls: objectUrls(version, s),
  };
}

/**
 * Objects that carry record types: a describe of one lists the Master record type even when the org
 * defines none (the id every org shares, 012000000000000AAA), as the RecordTypeInfo page describes
 * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm).
 */
const RECORD_TYPED = new Set(['Account', 'Contact', 'Lead', 'Opportunity', 'Event', 'Task']);
const MASTER_RECORD_TYPE = '012000000000000AAA';

function recordTypeInfos(version: string, s: ObjectSchema): Record<string, unknown>[] {
  if (!RECORD_TYPED.has(s.name)) return [];
  return [
    {
      active: true,
      available: true,
      defaultRecordTypeMapping: true,
      developerName: 'Master',
      master: true,
      name: 'Master',
      recordTypeId: MASTER_RECORD_TYPE,
      urls: {
        layout: `/services/data/v${version}/sobjects/${s.name}/describe/layouts/${MASTER_RECORD_TYPE}`,
      },
    },
  ];
}

/**
 * `instanceUrl` makes the UI templates absolute, as in the sObject Describe example
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_describe.htm).
 */
export function describeObject(version: string, s: ObjectSchema, instanceUrl = ''): Record<string, unknown> {
  return {
    actionOverrides: [],
    ...objectSummary(version, s),
    childRelationships: s.childRelationships.map((c) => ({
      cascadeDelete: c.cascadeDelete,
      childSObject: c.childSObject,
      deprecatedAndHidden: false,
      field: c.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: c.relationshipName,
      restrictedDelete: false,
    })),
    compactLayoutable: s.createable,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: s.fields.map(describeField),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: recordTypeInfos(version, s),
    searchLayoutable: s.searchable,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [{ label: `All ${s.labelPlural.toLowerCase()}`, name: 'everything' }],
    urls: {
      ...objectUrls(version, s),
      compactLayouts: `/services/data/v${version}/sobjects/${s.name}/describe/compactLayouts`,
      approvalLayouts: `/services/data/v${version}/sobjects/${s.name}/describe/approvalLayouts`,
      layouts: `/services/data/v${version}/sobjects/${s.name}/describe/layouts`,
      uiDetailTemplate: `${instanceUrl}/{ID}`,
      uiEditTemplate: `${instanceUrl}/{ID}/e`,
      ...(s.keyPrefix !== null ? { uiNewRecord: `${instanceUrl}/${s.keyPrefix}/e` } : {}),
    },
  };
}

export function globalDescribe(version: string, schemas: ObjectSchema[]): Record<string, unknown> {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: schemas.sort((a, b) => a.name.localeCompare(b.name)).map((s) => objectSummary(version, s)),
  };
}
