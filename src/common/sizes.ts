/** A byte count as people read it: `512 bytes`, `64 KB`, `100 MB` (binary units, one decimal when needed). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** The 413 sentence for an upload (zip) body over its limit. */
export function uploadTooLargeMessage(limit: number): string {
  return `The zip is larger than the ${formatBytes(limit)} UPLOAD_MAX_BYTES allows: send a smaller zip, or split the project.`;
}

/** The 413 sentence for a JSON (or form) body over its limit. */
export function jsonTooLargeMessage(limit: number): string {
  return (
    `The request body is larger than the ${formatBytes(limit)} a JSON request may be: send less in one request ` +
    '(zips go to POST /api/branches/:id/revisions).'
  );
}
