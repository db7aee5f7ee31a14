// The calls the emulator serves, by name: faults and the request log refer to them.

export const OPERATIONS = [
  'getRoot',
  'token',
  'listOrganizations',
  'listSpaces',
  'listApps',
  'getApp',
  'stopApp',
  'getCurrentDroplet',
  'setCurrentDroplet',
  'createPackage',
  'listPackages',
  'getPackage',
  'uploadPackage',
  'createBuild',
  'listBuilds',
  'getBuild',
  'getDroplet',
  'listRevisions',
  'listDeployedRevisions',
  'getRevision',
  'createDeployment',
  'listDeployments',
  'getDeployment',
  'cancelDeployment',
  'continueDeployment',
] as const;

export type Operation = (typeof OPERATIONS)[number];

export const isOperation = (value: unknown): value is Operation => OPERATIONS.includes(value as Operation);
