// The recordings card's GraphQL query and the variables it sends for each record page. Kept free of
// platform imports so that the exact document and variables can also be run from Node against the
// local org's UI API GraphQL endpoint (/services/data/vXX.X/graphql).
//
// Why two aliased connections per object: a semi-join (`Id: { inq: … }`) may not sit under `or` —
// GraphQL has SOQL's limitations (https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html)
// and SOQL refuses a semi-join combined with OR
// (https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html).
// So each page asks for its "primary" meetings and its "related" meetings in two connections with
// aliases (https://developer.salesforce.com/docs/platform/graphql/guide/query-aliases.html), the
// related filter excludes what the primary one finds, and the component merges them. Because the two
// sets are disjoint, the sum of their `totalCount`s is the number of meetings the record has.

/** The record pages the card is offered on. */
export type SupportedObject = 'Account' | 'Contact' | 'Opportunity';

export const SUPPORTED_OBJECTS: readonly SupportedObject[] = ['Account', 'Contact', 'Opportunity'];

export function isSupportedObject(name: string | undefined): name is SupportedObject {
  return (SUPPORTED_OBJECTS as readonly (string | undefined)[]).includes(name);
}

/** UI API GraphQL returns at most 2,000 records per connection (Query Limitations page above). */
export const MAX_CONNECTION_SIZE = 2000;

export const MEETINGS_OPERATION = 'salescalingMeetings';

const EVENT_FIELDS = `
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
              WhatId {
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
              }`;

const TASK_FIELDS = `
              Id
              Salescaling_Meeting_Id__c: Salescaling_Meeting_Id__c {
                value
              }`;

/**
 * One static document for every page (the wire adapter's `gql` is not reactive:
 * https://developer.salesforce.com/docs/platform/lwc/guide/reference-graphql-wire.html); only the
 * variables follow the page. Event and Task are in the GraphQL API from API 59.0.
 */
export const MEETINGS_QUERY_TEXT = `
  query ${MEETINGS_OPERATION}(
    $eventWhere: Event_Filter
    $relatedEventWhere: Event_Filter
    $taskWhere: Task_Filter
    $relatedTaskWhere: Task_Filter
    $first: Int
  ) {
    uiapi {
      query {
        events: Event(where: $eventWhere, orderBy: { StartDateTime: { order: DESC } }, first: $first) {
          totalCount
          pageInfo {
            hasNextPage
          }
          edges {
            node {${EVENT_FIELDS}
            }
          }
        }
        relatedEvents: Event(
          where: $relatedEventWhere
          orderBy: { StartDateTime: { order: DESC } }
          first: $first
        ) {
          totalCount
          pageInfo {
            hasNextPage
          }
          edges {
            node {${EVENT_FIELDS}
            }
          }
        }
        tasks: Task(where: $taskWhere, orderBy: { CreatedDate: { order: DESC } }, first: $first) {
          edges {
            node {${TASK_FIELDS}
            }
          }
        }
        relatedTasks: Task(where: $relatedTaskWhere, orderBy: { CreatedDate: { order: DESC } }, first: $first) {
          edges {
            node {${TASK_FIELDS}
            }
          }
        }
      }
    }
  }
`;

type Filter = Record<string, unknown>;

export type MeetingsVariables = {
  eventWhere: Filter;
  relatedEventWhere: Filter;
  taskWhere: Filter;
  relatedTaskWhere: Filter;
  first: number;
};

/**
 * What an Opportunity page knows before it asks for meetings: the Opportunity's dates that bound
 * "while it was open" (getRecord) and the Contacts with a contact role on it (getRelatedListRecords).
 */
export type OpportunityWindow = {
  createdDate: string;
  /** Only when the Opportunity is closed: its CloseDate (a date, YYYY-MM-DD). */
  closeDate: string | null;
  /** Contact ids of the Opportunity's contact roles. */
  contactIds: readonly string[];
};

const HAS_MEETING_ID: Filter = { Salescaling_Meeting_Id__c: { ne: null } };

const all = (...filters: Filter[]): Filter => ({ and: [HAS_MEETING_ID, ...filters] });

/** Semi-join on an activity's relation rows: `Id IN (SELECT EventId FROM EventRelation WHERE …)`. */
function relatedThrough(activity: 'Event' | 'Task', where: Filter): Filter {
  const relation = activity === 'Event' ? 'EventRelation' : 'TaskRelation';
  return { Id: { inq: { [relation]: where, ApiName: activity === 'Event' ? 'EventId' : 'TaskId' } } };
}

/**
 * The filters for one record page.
 *
 * - Account: primary = WhatId or AccountId (Salesforce derives an activity's AccountId from WhatId or
 *   the primary contact); related = a relation row whose AccountId is the account, i.e. any related
 *   contact of the account, not only the primary one (EventRelation.AccountId with Shared Activities:
 *   https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventrelation.htm).
 * - Contact: primary = WhoId; related = an EventRelation/TaskRelation row for the contact (up to 50
 *   contacts per meeting with Shared Activities).
 * - Opportunity: primary = WhatId; related = meetings where a Contact with a contact role on the
 *   Opportunity is a related contact (semi-join on EventRelation/TaskRelation,
 *   https://developer.salesforce.com/docs/platform/graphql/guide/filter-joins.html), held while the
 *   Opportunity was open (from its CreatedDate, up to its CloseDate once closed). Undefined until the
 *   Opportunity's dates and contact roles are known.
 */
export function meetingVariables(
  objectApiName: string | undefined,
  recordId: string,
  first: number,
  opportunity?: OpportunityWindow,
): MeetingsVariables | undefined {
  switch (objectApiName) {
    case 'Account': {
      const primary = { or: [{ WhatId: { eq: recordId } }, { AccountId: { eq: recordId } }] };
      const notPrimary = [{ WhatId: { ne: recordId } }, { AccountId: { ne: recordId } }];
      return {
        eventWhere: all(primary),
        relatedEventWhere: all(relatedThrough('Event', { AccountId: { eq: recordId } }), ...notPrimary),
        taskWhere: all(primary),
        relatedTaskWhere: all(relatedThrough('Task', { AccountId: { eq: recordId } }), ...notPrimary),
        first,
      };
    }
    case 'Contact': {
      const notPrimary = { WhoId: { ne: recordId } };
      return {
        eventWhere: all({ WhoId: { eq: recordId } }),
        relatedEventWhere: all(relatedThrough('Event', { RelationId: { eq: recordId } }), notPrimary),
        taskWhere: all({ WhoId: { eq: recordId } }),
        relatedTaskWhere: all(relatedThrough('Task', { RelationId: { eq: recordId } }), notPrimary),
        first,
      };
    }
    case 'Opportunity': {
      if (!opportunity) return undefined;
      // SOQL allows no semi-join inside a semi-join, so the contact roles' Contacts come from the
      // page (related list) and the relation rows are matched on them: any related contact of the
      // meeting, not only its primary one (with Shared Activities, the primary contact has a relation
      // row too). No contact role: `Id = null`, which matches nothing, since `IN ()` is not SOQL.
      const byContactRole = (activity: 'Event' | 'Task'): Filter => {
        if (opportunity.contactIds.length === 0) return { Id: { eq: null } };
        return relatedThrough(activity, { RelationId: { in: [...opportunity.contactIds] } });
      };
      const whileOpen = (field: 'StartDateTime' | 'CreatedDate'): Filter[] => [
        { [field]: { gte: { value: opportunity.createdDate } } },
        ...(opportunity.closeDate
          ? [{ [field]: { lte: { value: `${opportunity.closeDate}T23:59:59.000Z` } } }]
          : []),
      ];
      return {
        eventWhere: all({ WhatId: { eq: recordId } }),
        relatedEventWhere: all(
          byContactRole('Event'),
          { WhatId: { ne: recordId } },
          ...whileOpen('StartDateTime'),
        ),
        taskWhere: all({ WhatId: { eq: recordId } }),
        relatedTaskWhere: all(
          byContactRole('Task'),
          { WhatId: { ne: recordId } },
          ...whileOpen('CreatedDate'),
        ),
        first,
      };
    }
    default:
      return undefined;
  }
}
