import { AppError } from '../common/errors.js';

/** Files inside the project that no metadata type claims. The API answers 400 listing them. */
export class UnclaimedFilesError extends AppError {
  constructor(readonly files: string[]) {
    super(
      400,
      `${files.length} file(s) are not Salesforce metadata (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}): ` +
        'remove them, move them out of the package directories, or list them in .forceignore.',
      { files },
    );
  }
}

/** A metadata XML file that does not parse. Named, with the line when the parser knows it. */
export class MalformedXmlError extends AppError {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(
      400,
      `${file}${line ? ` (line ${line})` : ''} is not well-formed XML: ${reason}. Fix the file and upload again.`,
      {
        file,
        ...(line ? { line } : {}),
      },
    );
  }
}

/** The upload is neither an SFDX project nor a metadata package, or SDR cannot make sense of it. */
export class ProjectFormatError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(400, message, details);
  }
}
