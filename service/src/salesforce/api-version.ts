/**
 * The one REST API version every call uses. It equals `sourceApiVersion` in sfdx-project.json, so the
 * service reads and writes the same fields the package is built against (a test keeps them equal).
 */
export const SALESFORCE_API_VERSION = '66.0';

/**
 * `/services/data/v66.0`, the prefix of every REST resource the service calls, in the version the
 * connection was opened with (`SALESFORCE_API_VERSION`, which defaults to the constant above).
 */
export function dataPath(conn: { readonly version: string }): string {
  return `/services/data/v${conn.version}`;
}
