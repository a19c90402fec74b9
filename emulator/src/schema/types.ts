/**
 * The shape of the local org's object model, shared by the org core (storage, CRUD, describe) and the
 * query engine (SOQL/SOSL). Field types and names follow the REST describe result
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_describe.htm).
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'base64'
  | 'address'
  | 'location';

/** The types whose values are text: describe gives them a length and byteLength, filters compare them as strings. */
export const TEXT_FIELD_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'id',
  'reference',
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
]);

export interface FieldSchema {
  /** API name, canonical case (e.g. `AccountId`, `Salescaling_Meeting_Id__c`). */
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  /** Maximum length for text types (describe `length`). */
  readonly length?: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly groupable?: boolean;
  readonly externalId?: boolean;
  readonly unique?: boolean;
  /** A unique text field's uniqueness tells "ABC" from "abc" (describe `caseSensitive`). */
  readonly caseSensitive?: boolean;
  readonly calculated?: boolean;
  readonly defaultedOnCreate?: boolean;
  /** Objects a reference field may point to (polymorphic when more than one). */
  readonly referenceTo?: readonly string[];
  /** Relationship name used in SOQL paths (`Account` for `AccountId`, `Who` for `WhoId`). */
  readonly relationshipName?: string | null;
  readonly picklistValues?: readonly {
    value: string;
    label: string;
    active: boolean;
    defaultValue: boolean;
  }[];
  /** Only the listed values may be stored (describe `restrictedPicklist`). */
  readonly restrictedPicklist?: boolean;
  /** For name fields (`Name`). */
  readonly nameField?: boolean;
}

export interface ChildRelationshipSchema {
  /** Name used in SOQL subqueries (`Contacts`, `EventRelations`); null when not queryable as a subquery. */
  readonly relationshipName: string | null;
  readonly childSObject: string;
  /** The child's reference field pointing at the parent (`AccountId`). */
  readonly field: string;
  readonly cascadeDelete: boolean;
}

export interface ObjectSchema {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string | null;
  readonly fields: readonly FieldSchema[];
  readonly childRelationships: readonly ChildRelationshipSchema[];
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly queryable: boolean;
  readonly searchable: boolean;
  readonly custom: boolean;
}

/** A stored field value, as the REST API returns it in JSON (datetimes as `2026-11-20T16:00:00.000+0000`). */
export type FieldValue = string | number | boolean | null | { readonly [key: string]: unknown };

/** A stored record: canonical field names to values; always has `Id` and `IsDeleted`. */
export type StoredRecord = Readonly<Record<string, FieldValue>>;
