import type { MemberRef } from './component.types.js';

export type OrgAuth =
  | { type: 'accessToken'; accessToken: string }
  | { type: 'refreshToken'; refreshToken: string; clientId: string; clientSecret?: string; loginUrl?: string }
  /** `force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl>` (the secret may be empty or left out). */
  | { type: 'sfdxAuthUrl'; sfdxAuthUrl: string }
  /** SOAP login when there is no clientId, the OAuth username-password flow otherwise. */
  | {
      type: 'password';
      username: string;
      password: string;
      loginUrl?: string;
      clientId?: string;
      clientSecret?: string;
    };

export interface OrgTarget {
  instanceUrl: string;
  /** e.g. `62.0`; every call and every package uses it. */
  apiVersion: string;
  auth: OrgAuth;
}

export type TestLevel = 'NoTestRun' | 'RunSpecifiedTests' | 'RunLocalTests' | 'RunAllTestsInOrg' | 'RunRelevantTests';

export interface DeployOptions {
  checkOnly?: boolean;
  /** Default true (required in production). */
  rollbackOnError?: boolean;
  testLevel?: TestLevel;
  runTests?: string[];
  /** Default true: Backtrack's zips have package.xml at the root. */
  singlePackage?: boolean;
  purgeOnDelete?: boolean;
  ignoreWarnings?: boolean;
  allowMissingFiles?: boolean;
}

export interface DeployMessage {
  componentType: string;
  fullName: string;
  fileName: string;
  created: boolean;
  changed: boolean;
  deleted: boolean;
  success: boolean;
  problem?: string;
  problemType?: 'Warning' | 'Error';
  lineNumber?: number;
  columnNumber?: number;
}

export type DeployState =
  'Pending' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed' | 'Canceling' | 'Canceled';

/** A checkDeployStatus result with real booleans and numbers and arrays that are always arrays. */
export interface DeployStatus {
  id: string;
  /** The only terminal signal. */
  done: boolean;
  /** A DeployState, or a state a later API version adds. */
  status: string;
  success: boolean;
  checkOnly: boolean;
  numberComponentsTotal: number;
  numberComponentsDeployed: number;
  numberComponentErrors: number;
  numberTestsTotal: number;
  numberTestsCompleted: number;
  numberTestErrors: number;
  errorMessage?: string;
  errorStatusCode?: string;
  stateDetail?: string;
  /** Component successes and failures (package.xml's own entry is left out). */
  messages: DeployMessage[];
  /**
   * Messages Salesforce attached to no component type (an unknown folder, a package-level error): never dropped,
   * they are job-level problems. Absent or empty when there are none.
   */
  problems?: DeployMessage[];
}

export interface FileProperties {
  type: string;
  fullName: string;
  fileName: string;
  id?: string;
  createdById?: string;
  createdByName?: string;
  createdDate?: string;
  lastModifiedById?: string;
  lastModifiedByName?: string;
  lastModifiedDate?: string;
  manageableState?: string;
  namespacePrefix?: string;
}

export interface RetrieveStatus {
  id: string;
  done: boolean;
  status: string;
  success: boolean;
  /** The zip (metadata format, package.xml at the root for singlePackage) once done. */
  zip?: Buffer;
  /** "cannot be found" and other messages; see parseMissingMessages. */
  messages: { fileName: string; problem: string }[];
}

/** One row of the org's recent deploys (the Tooling API's DeployRequest), as `recentDeploys` returns it. */
export interface RecentDeploy {
  id: string;
  /** A DeployState as Salesforce spells it (Pending, InProgress, Succeeded, …). */
  status: string;
  /** When Salesforce received the deploy() call. */
  createdDate: Date;
  completedDate?: Date;
  checkOnly: boolean;
  /** 0 until Salesforce has planned the deploy. */
  numberComponentsTotal: number;
}

/** One flow as the Tooling API knows it: its FlowDefinition and the numbers of its versions (Flow records). */
export interface FlowDefinitionState {
  /** The Metadata API fullName of the flow (FlowDefinition.DeveloperName). */
  developerName: string;
  definitionId: string;
  /** null: no version is active. */
  activeVersionNumber: number | null;
  latestVersionNumber: number | null;
  /** Oldest first; `status` as Salesforce spells it (Active, Draft, Obsolete, InvalidDraft). */
  versions: { id: string; versionNumber: number; status: string }[];
}

/**
 * One authenticated conversation with an org's Metadata API.
 *
 * Contract:
 * - `startDeploy` is NOT idempotent: each call starts a new deploy. Persist the returned async id before polling,
 *   and after a restart poll that id instead of deploying again.
 * - `checkDeploy`, `checkRetrieve`, `listMetadata` and `recentDeploys` are safe to repeat; `cancelDeploy` may be repeated (the org
 *   answers with the same cancel). `startRetrieve` changes nothing in the org.
 * - Every failure is one of: `SalesforceAuthError` (bad or expired credentials, not retryable without new ones),
 *   `SalesforceUnavailableError` (network or the org not answering: retry with backoff), `SalesforceApiError`
 *   (the org answered with a fault code). Messages never contain credentials.
 * - An expired session is renewed once, transparently, when the credentials allow it (refresh token, SFDX auth
 *   URL, password); an access token alone cannot be renewed and gives SalesforceAuthError.
 */
export interface MetadataSession {
  identity(): Promise<{ organizationId?: string; username?: string }>;
  startDeploy(zip: Buffer, options: DeployOptions): Promise<string>;
  /** `details: false` leaves out the per-component results (cheap to poll; the counts are still there). Default true. */
  checkDeploy(asyncId: string, options?: { details?: boolean }): Promise<DeployStatus>;
  cancelDeploy(asyncId: string): Promise<void>;
  /**
   * The org's deploys received since `since` (validations included), newest first: a Tooling API query of
   * DeployRequest. Used to find a deploy whose id was never received (the answer to startDeploy was lost).
   */
  recentDeploys(since: Date): Promise<RecentDeploy[]>;
  /** Retrieves exactly these members (singlePackage, no wildcards) at the target's API version. */
  startRetrieve(members: MemberRef[]): Promise<string>;
  checkRetrieve(id: string): Promise<RetrieveStatus>;
  /** Any number of queries (sent three per call). */
  listMetadata(queries: { type: string; folder?: string }[]): Promise<FileProperties[]>;
  /**
   * Tooling API: the FlowDefinitions of these flows with their versions; flows the org does not have are left out.
   * Safe to repeat: it is how the outcome of a flow call whose answer was lost is learned.
   */
  flowDefinitions(names: string[]): Promise<FlowDefinitionState[]>;
  /**
   * Tooling API: makes `versionNumber` the flow's active version (`PATCH FlowDefinition {Metadata:
   * {activeVersionNumber}}`); 0 deactivates. Repeating it leaves the same state, so it is retried like a read.
   */
  setActiveFlowVersion(definitionId: string, versionNumber: number): Promise<void>;
  /**
   * Tooling API: deletes one flow version (`DELETE Flow/{id}`). Not repeated on a lost answer (a repeat of a done
   * delete is refused as not found): read the flow back instead. Salesforce refuses an active version and one with
   * paused interviews (SalesforceApiError with its reason).
   */
  deleteFlowVersion(versionId: string): Promise<void>;
}

/** The port to the Salesforce Metadata API. `connect` authenticates (and fails with SalesforceAuthError if it cannot). */
export interface MetadataApiGateway {
  connect(target: OrgTarget): Promise<MetadataSession>;
}

/** Credentials were refused or have expired. */
export class SalesforceAuthError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SalesforceAuthError';
  }
}

/** The org could not be reached or did not answer (network, DNS, timeouts, 502/503/504). Retry with backoff. */
export class SalesforceUnavailableError extends Error {
  readonly retryable = true;
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SalesforceUnavailableError';
  }
}

/** The org answered with a fault (`sf:INVALID_ID_FIELD`, `sf:UNKNOWN_EXCEPTION`, …). */
export class SalesforceApiError extends Error {
  readonly retryable = false;
  constructor(
    readonly faultCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SalesforceApiError';
  }
}
