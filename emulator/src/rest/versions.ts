/** The REST API versions the local org serves. */

export const MIN_VERSION = 31;
export const MAX_VERSION = 66;

/** Versions list (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm). */
export function versions(): { label: string; url: string; version: string }[] {
  const out = [];
  for (let v = MIN_VERSION; v <= MAX_VERSION; v++) {
    // 31.0 was Summer '14; three releases a year since (Winter carries the next year's number).
    const k = v - MIN_VERSION;
    const season = ['Summer', 'Winter', 'Spring'][k % 3]!;
    const year = 14 + Math.floor((k + 2) / 3);
    out.push({ label: `${season} '${year}`, url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}
