// lightning/graphql for Jest: the wire adapter emits what a test gives it, and gql keeps the query
// text so a test can tell which query the component wired (sfdx-lwc-jest's own gql returns nothing).
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export class graphql extends createTestWireAdapter() {
  static emit(value) {
    super.emit({ data: value, errors: undefined });
  }

  static emitErrors(errors) {
    super.emit({ data: undefined, errors });
  }
}

export const gql = (strings, ...values) =>
  strings.reduce((text, part, i) => text + part + (i < values.length ? String(values[i]) : ''), '');
