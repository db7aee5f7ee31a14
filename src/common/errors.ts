/** A failure the caller can act on: one HTTP status and a sentence saying what to change. Mapped once, in the HTTP filter. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(400, message, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, message);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, `${what} ${id} does not exist.`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(409, message, details);
  }
}
export class GoneError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(410, message, details);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(413, message, details);
  }
}
export class UnprocessableError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(422, message, details);
  }
}
export class BadGatewayError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(502, message, details);
  }
}
