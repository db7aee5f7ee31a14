/**
 * The API version of a restore package: the backup's (recorded on the snapshot), else the revision's
 * `sourceApiVersion`, else the org's. Never a hard-coded version while one of them is known.
 */
export function pickRestoreApiVersion(
  snapshotVersion: string | null,
  revisionVersion: string | null,
  orgVersion: string | null,
): string {
  const version = snapshotVersion ?? revisionVersion ?? orgVersion;
  if (!version) throw new Error('No API version is known for this restore (snapshot, revision and org have none).');
  return version;
}
