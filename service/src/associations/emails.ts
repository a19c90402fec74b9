/** Emails compare case-insensitively and without surrounding blanks (CONTRACT §7.1). */
export function normalizeEmail(email: string | null | undefined): string | null {
  if (email === null || email === undefined) return null;
  const trimmed = email.trim().toLowerCase();
  return trimmed.length === 0 ? null : trimmed;
}

/**
 * Salesforce ids are case-sensitive; a 15-character id is the first 15 characters of its 18-character
 * form. Hand-picked ids may come in either length, query results always in 18.
 */
export function sameSalesforceId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
