import { LightningElement, api, wire } from 'lwc';
import { gql, graphql } from 'lightning/graphql';
import { NavigationMixin } from 'lightning/navigation';
import { meetingFilters, toMeetings } from 'c/salescalingUtils';
import type { Meeting, MeetingsQueryData } from 'c/salescalingUtils';

const DEFAULT_MAX_MEETINGS = 5;
const MAX_MEETINGS = 50;

// One static query; what differs per record page is only the `where` variables
// (meetingFilters). Event and Task are in the GraphQL API from API 59.0:
// https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html
// Custom fields are aliased to themselves so a result keeps their names whatever the org does.
const MEETINGS_QUERY = gql`
  query salescalingMeetings($eventWhere: Event_Filter, $taskWhere: Task_Filter, $first: Int) {
    uiapi {
      query {
        Event(where: $eventWhere, orderBy: { StartDateTime: { order: DESC } }, first: $first) {
          edges {
            node {
              Id
              Subject {
                value
              }
              StartDateTime {
                value
              }
              DurationInMinutes {
                value
              }
              Salescaling_Meeting_Id__c: Salescaling_Meeting_Id__c {
                value
              }
              Salescaling_Recording_Url__c: Salescaling_Recording_Url__c {
                value
              }
              Salescaling_Summary_Preview__c: Salescaling_Summary_Preview__c {
                value
              }
              Salescaling_Attendees__c: Salescaling_Attendees__c {
                value
              }
            }
          }
        }
        Task(where: $taskWhere, orderBy: { CreatedDate: { order: DESC } }, first: $first) {
          edges {
            node {
              Id
              Salescaling_Meeting_Id__c: Salescaling_Meeting_Id__c {
                value
              }
            }
          }
        }
      }
    }
  }
`;

type GraphQLResult = { data?: MeetingsQueryData; errors?: unknown[] };

export default class SalescalingRecordings extends NavigationMixin(LightningElement) {
  /** Set by the record page. */
  @api recordId?: string;
  /** Set by the record page: Account, Contact or Opportunity. */
  @api objectApiName?: string;
  /** Lightning App Builder property "Meetings to show". */
  @api maxMeetings: number = DEFAULT_MAX_MEETINGS;

  result?: GraphQLResult;

  // gql is not reactive (https://developer.salesforce.com/docs/platform/lwc/guide/reference-graphql-wire.html):
  // the query is fixed and only the variables follow the page.
  @wire(graphql, { query: MEETINGS_QUERY, variables: '$variables', operationName: 'salescalingMeetings' })
  wiredMeetings(result: GraphQLResult): void {
    this.result = result;
  }

  get limit(): number {
    const wanted = Math.trunc(Number(this.maxMeetings));
    if (!Number.isFinite(wanted) || wanted < 1) return DEFAULT_MAX_MEETINGS;
    return Math.min(wanted, MAX_MEETINGS);
  }

  /** Undefined until the page has given a supported record, so the wire has nothing to ask. */
  get variables(): Record<string, unknown> | undefined {
    if (!this.recordId) return undefined;
    const filters = meetingFilters(this.objectApiName, this.recordId);
    return filters ? { ...filters, first: this.limit } : undefined;
  }

  get isUnsupportedPage(): boolean {
    return Boolean(this.recordId) && meetingFilters(this.objectApiName, this.recordId ?? '') === undefined;
  }

  get errors(): unknown[] | undefined {
    return this.result?.errors?.length ? this.result.errors : undefined;
  }

  get isLoading(): boolean {
    return !this.isUnsupportedPage && !this.errors && !this.result?.data;
  }

  get meetings(): Meeting[] {
    return toMeetings(this.result?.data, this.limit);
  }

  get hasMeetings(): boolean {
    return this.meetings.length > 0;
  }

  get cardTitle(): string {
    return this.hasMeetings ? `Salescaling Recordings (${this.meetings.length})` : 'Salescaling Recordings';
  }

  handleOpenRecord(event: MouseEvent): void {
    const target = event.currentTarget as HTMLElement | null;
    const recordId = target?.dataset.recordId;
    const objectApiName = target?.dataset.objectApiName;
    if (!recordId || !objectApiName) return;
    // A plain click stays in the Lightning console/tab; modified clicks keep the href's behaviour.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    this[NavigationMixin.Navigate]({
      type: 'standard__recordPage',
      attributes: { recordId, objectApiName, actionName: 'view' },
    });
  }
}
