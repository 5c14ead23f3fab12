/**
 * The domain's typed errors. Exactly one mapper (lib/http/errors.ts) turns
 * them into HTTP responses; anything else becomes a generic 500.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'budget_exceeded'
  | 'quota_exceeded'
  | 'approval_required'
  | 'escalate_to_human'
  | 'loop_detected'
  | 'upstream_error';

export class TollgateError extends Error {
  constructor(
    readonly type: ErrorType,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends TollgateError {
  constructor(message: string, details: { param?: string } & Record<string, unknown> = {}) {
    super('invalid_request_error', 400, message, details);
  }
}

export class AuthenticationError extends TollgateError {
  constructor(message = 'Invalid or missing credentials.') {
    super('authentication_error', 401, message);
  }
}

export class PermissionError extends TollgateError {
  constructor(message = 'You do not have access to this resource.') {
    super('permission_error', 403, message);
  }
}

export class NotFoundError extends TollgateError {
  constructor(message = 'Not found.') {
    super('not_found_error', 404, message);
  }
}
