const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` is a UUID in its canonical 8-4-4-4-12 form (what ids are, and what PostgreSQL's uuid accepts). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** A string shaped like an id (36 hex digits and dashes) that is not one: a mistyped id rather than a name. */
export function isMalformedId(text: string): boolean {
  return /^[0-9a-f-]{36}$/i.test(text) && !isUuid(text);
}

/** The 400 sentence for a mistyped id of `what` (branch, org) that is no name either. */
export function malformedIdMessage(what: string, text: string): string {
  return `"${text}" is not a valid ${what} id (a UUID: 8-4-4-4-12 hex digits) and no ${what} has that name: check the id.`;
}
