// Types for the platform modules the components import. The platform provides them at run time
// (and sfdx-lwc-jest stubs them in tests); these declarations only describe what we use.

declare module 'lightning/graphql' {
  import type { WireAdapterConstructor } from 'lwc';

  /** Tags a GraphQL query; the platform parses it. */
  export function gql(strings: TemplateStringsArray, ...values: unknown[]): unknown;
  /** The GraphQL wire adapter: https://developer.salesforce.com/docs/platform/lwc/guide/reference-graphql.html */
  export const graphql: WireAdapterConstructor;
}

declare module 'lightning/navigation' {
  export type PageReference = {
    type: string;
    attributes?: Record<string, unknown>;
    state?: Record<string, unknown>;
  };
  const Navigate: unique symbol;
  const GenerateUrl: unique symbol;
  type Navigation = {
    [Navigate](pageReference: PageReference, replace?: boolean): void;
    [GenerateUrl](pageReference: PageReference): Promise<string>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Constructor<T = object> = new (...args: any[]) => T;
  export function NavigationMixin<T extends Constructor>(base: T): T & Constructor<Navigation>;
  export namespace NavigationMixin {
    export { Navigate, GenerateUrl };
  }
}

declare module 'lightning/uiRecordApi' {
  import type { WireAdapterConstructor } from 'lwc';

  /** https://developer.salesforce.com/docs/platform/lwc/guide/reference-get-record.html */
  export const getRecord: WireAdapterConstructor;
}

declare module 'lightning/uiRelatedListApi' {
  import type { WireAdapterConstructor } from 'lwc';

  /** https://developer.salesforce.com/docs/platform/lwc/guide/reference-wire-adapters-get-related-list-records.html */
  export const getRelatedListRecords: WireAdapterConstructor;
}
