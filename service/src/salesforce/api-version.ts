/**
 * The one REST API version every call uses. It equals `sourceApiVersion` in sfdx-project.json, so the
 * service reads and writes the same fields the package is built against (a test keeps them equal).
 */
export const SALESFORCE_API_VERSION = '66.0';

/** `/services/data/v66.0`, the prefix of every REST resource the service calls. */
export const DATA_PATH = `/services/data/v${SALESFORCE_API_VERSION}`;
