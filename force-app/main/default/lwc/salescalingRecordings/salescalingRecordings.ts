import { LightningElement, api, wire } from 'lwc';
import { gql, graphql } from 'lightning/graphql';
import { getRecord } from 'lightning/uiRecordApi';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
import { NavigationMixin } from 'lightning/navigation';
import { sellerErrorMessage, toMeetings, totalMeetings } from 'c/salescalingUtils';
import type { Meeting, MeetingsQueryData } from 'c/salescalingUtils';
import {
  MAX_CONNECTION_SIZE,
  MEETINGS_OPERATION,
  MEETINGS_QUERY_TEXT,
  isSupportedObject,
  meetingVariables,
} from './meetingsQuery';
import type { MeetingsVariables, OpportunityWindow } from './meetingsQuery';

const DEFAULT_MAX_MEETINGS = 5;
const MAX_MEETINGS = 50;

// The document lives in meetingsQuery.ts so the same text can be run against an org from Node.
const MEETINGS_QUERY = gql`
  ${MEETINGS_QUERY_TEXT}
`;

/** The Opportunity's dates that bound "while it was open" for meetings of its contact roles. */
const OPPORTUNITY_FIELDS = ['Opportunity.CreatedDate', 'Opportunity.CloseDate', 'Opportunity.IsClosed'];
const CONTACT_ROLE_FIELDS = ['OpportunityContactRole.ContactId'];
/** Contact roles read per Opportunity; an Opportunity with more is rare, and the first ones count. */
const MAX_CONTACT_ROLES = 200;

type GraphQLResult = { data?: MeetingsQueryData; errors?: unknown[] };
type Fields = Record<string, { value: unknown } | undefined>;
type RecordResult = { data?: { fields?: Fields }; error?: unknown };
type RelatedListResult = { data?: { records?: { fields?: Fields }[] }; error?: unknown };

export default class SalescalingRecordings extends NavigationMixin(LightningElement) {
  /** Set by the record page. */
  @api recordId?: string;
  /** Set by the record page: Account, Contact or Opportunity. */
  @api objectApiName?: string;
  /** Lightning App Builder property "Meetings to show". */
  @api maxMeetings: number = DEFAULT_MAX_MEETINGS;

  result?: GraphQLResult;
  opportunity?: RecordResult;
  contactRoles?: RelatedListResult;
  /** "View all": ask for every meeting (up to the API's 2,000 per connection) instead of the first few. */
  showAll = false;

  // gql is not reactive (https://developer.salesforce.com/docs/platform/lwc/guide/reference-graphql-wire.html):
  // the query is fixed and only the variables follow the page.
  @wire(graphql, { query: MEETINGS_QUERY, variables: '$variables', operationName: MEETINGS_OPERATION })
  wiredMeetings(result: GraphQLResult): void {
    this.result = result;
  }

  // Only on Opportunity pages: its dates bound the contact-role meetings (recordId stays undefined
  // elsewhere, so nothing is asked). https://developer.salesforce.com/docs/platform/lwc/guide/reference-get-record.html
  @wire(getRecord, { recordId: '$opportunityId', fields: OPPORTUNITY_FIELDS })
  wiredOpportunity(result: RecordResult): void {
    this.opportunity = result;
  }

  // Only on Opportunity pages: the Contacts with a contact role on it.
  // https://developer.salesforce.com/docs/platform/lwc/guide/reference-wire-adapters-get-related-list-records.html
  @wire(getRelatedListRecords, {
    parentRecordId: '$opportunityId',
    relatedListId: 'OpportunityContactRoles',
    fields: CONTACT_ROLE_FIELDS,
    pageSize: MAX_CONTACT_ROLES,
  })
  wiredContactRoles(result: RelatedListResult): void {
    this.contactRoles = result;
  }

  get limit(): number {
    const wanted = Math.trunc(Number(this.maxMeetings));
    if (!Number.isFinite(wanted) || wanted < 1) return DEFAULT_MAX_MEETINGS;
    return Math.min(wanted, MAX_MEETINGS);
  }

  /** How many meetings each connection is asked for and the card lists. */
  get shown(): number {
    return this.showAll ? MAX_CONNECTION_SIZE : this.limit;
  }

  get opportunityId(): string | undefined {
    return this.objectApiName === 'Opportunity' && this.recordId ? this.recordId : undefined;
  }

  get opportunityWindow(): OpportunityWindow | undefined {
    const fields = this.opportunity?.data?.fields;
    const created = fields?.CreatedDate?.value;
    if (typeof created !== 'string') return undefined;
    const closed = fields?.IsClosed?.value === true;
    const closeDate = fields?.CloseDate?.value;
    const roles = this.contactRoles?.data?.records;
    if (!roles) return undefined;
    const contactIds = [
      ...new Set(
        roles.map((r) => r.fields?.ContactId?.value).filter((id): id is string => typeof id === 'string'),
      ),
    ];
    return {
      createdDate: created,
      closeDate: closed && typeof closeDate === 'string' ? closeDate : null,
      contactIds,
    };
  }

  /** Undefined until the page has given a supported record (and, on an Opportunity, its dates). */
  get variables(): MeetingsVariables | undefined {
    if (!this.recordId) return undefined;
    return meetingVariables(this.objectApiName, this.recordId, this.shown, this.opportunityWindow);
  }

  get isUnsupportedPage(): boolean {
    return Boolean(this.recordId) && !isSupportedObject(this.objectApiName);
  }

  get errors(): unknown[] | undefined {
    if (this.result?.errors?.length) return this.result.errors;
    const pageErrors = [this.opportunity?.error, this.contactRoles?.error].filter(Boolean);
    return pageErrors.length > 0 ? pageErrors : undefined;
  }

  get errorMessage(): string {
    return sellerErrorMessage(this.errors);
  }

  get isLoading(): boolean {
    return !this.isUnsupportedPage && !this.errors && !this.result?.data;
  }

  get meetings(): Meeting[] {
    return toMeetings(this.result?.data, this.shown, {
      relatedByContactRole: this.objectApiName === 'Opportunity',
    });
  }

  get hasMeetings(): boolean {
    return this.meetings.length > 0;
  }

  get total(): number {
    return Math.max(totalMeetings(this.result?.data), this.meetings.length);
  }

  /** The title says how many are listed and how many there are: "(5 of 12)", or "(3)" when that is all. */
  get cardTitle(): string {
    if (!this.hasMeetings) return 'Salescaling Recordings';
    const shown = this.meetings.length;
    return shown < this.total
      ? `Salescaling Recordings (${shown} of ${this.total})`
      : `Salescaling Recordings (${shown})`;
  }

  get hasMore(): boolean {
    return !this.showAll && this.hasMeetings && this.meetings.length < this.total;
  }

  get viewAllLabel(): string {
    return `View all (${this.total})`;
  }

  handleViewAll(): void {
    this.showAll = true;
  }

  handleOpenRecord(event: MouseEvent): void {
    const target = event.currentTarget as HTMLElement | null;
    const recordId = target?.dataset.recordId;
    const objectApiName = target?.dataset.objectApiName;
    if (!recordId || !objectApiName) return;
    // A plain click stays in the Lightning console/tab; modified clicks keep the href's behaviour.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const relationshipApiName = target?.dataset.relationship;
    // The summary is an Enhanced Note linked to the Event: its Notes related list shows it.
    this[NavigationMixin.Navigate](
      relationshipApiName
        ? {
            type: 'standard__recordRelationshipPage',
            attributes: { recordId, objectApiName, relationshipApiName, actionName: 'view' },
          }
        : { type: 'standard__recordPage', attributes: { recordId, objectApiName, actionName: 'view' } },
    );
  }
}
