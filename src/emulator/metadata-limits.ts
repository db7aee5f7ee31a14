// Salesforce's Metadata API limits, and the errors it answers when they are exceeded.

export interface MetadataLimits {
  /** Files in one deploy or retrieve zip. */
  readonly maxFiles: number;
  /** Size of a deploy or retrieve zip. */
  readonly maxZipBytes: number;
  readonly maxUncompressedBytes: number;
}

export const SALESFORCE_LIMITS: MetadataLimits = {
  maxFiles: 10_000,
  maxZipBytes: 39 * 1024 * 1024,
  maxUncompressedBytes: 600 * 1024 * 1024,
};

export interface LimitError {
  readonly errorStatusCode: string;
  readonly errorMessage: string;
}

function limitError(errorStatusCode: string, text: string): LimitError {
  return { errorStatusCode, errorMessage: `${errorStatusCode}: ${text}` };
}

export const deployLimitErrors = {
  tooManyFiles: () => limitError('INVALID_OPERATION', 'Too many files in zip'),
  zipTooLarge: (limits: MetadataLimits) =>
    limitError('LIMIT_EXCEEDED', `Maximum size of deploy zip file exceeded (limit is ${limits.maxZipBytes} bytes)`),
  unzippedTooLarge: (limits: MetadataLimits) =>
    limitError(
      'LIMIT_EXCEEDED',
      `Maximum size of unzipped files exceeded (limit is ${limits.maxUncompressedBytes} bytes)`,
    ),
};

export const retrieveLimitErrors = {
  tooManyFiles: (limits: MetadataLimits) =>
    limitError('LIMIT_EXCEEDED', `Too many files in retrieve call, limit is: ${limits.maxFiles}`),
  zipTooLarge: (limits: MetadataLimits) =>
    limitError('LIMIT_EXCEEDED', `Maximum size of retrieve zip file exceeded (limit is ${limits.maxZipBytes} bytes)`),
};

export function isLimitErrorResult(value: object): value is LimitError {
  return 'errorStatusCode' in value;
}
