/** The local org's query engine: SOQL and SOSL over a QueryDataSource. */
export { QueryError } from './errors.ts';
export { executeSoql, type SoqlOptions } from './soql.ts';
export type { SoqlResult } from './run.ts';
export { executeSosl, type SoslOptions, type SoslResult } from './sosl.ts';
export type { QueryDataSource } from './data-source.ts';
