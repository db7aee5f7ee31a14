import type { ListedPackageVersion, PackageListing } from './packages.service.js';
import type { PackageVersion } from './package-version.entity.js';

/** One version as `GET /api/packages/:name/versions/:version` shows it: with the manifest of its files. */
export function presentPackageVersion(pv: PackageVersion) {
  return {
    id: pv.id,
    name: pv.name,
    version: pv.version,
    format: pv.format,
    size: pv.size,
    sha256: pv.sha256,
    files: pv.files,
    createdAt: pv.createdAt,
    createdBy: pv.createdByName,
    pruned: pv.prunedAt !== null,
  };
}

/** `GET /api/packages`: every package, its versions newest first, each with the number of files it holds. */
export function presentPackageListing(listing: PackageListing) {
  return {
    name: listing.name,
    versions: listing.versions.map((v: ListedPackageVersion) => ({
      id: v.id,
      version: v.version,
      format: v.format,
      size: v.size,
      sha256: v.sha256,
      files: v.fileCount,
      createdAt: v.createdAt,
      createdBy: v.createdByName,
      pruned: v.prunedAt !== null,
    })),
  };
}
