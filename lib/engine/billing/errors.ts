import { ValidationError } from '../errors';

/**
 * A provider billing export that is not the shape it claims to be. `param`
 * names the offending field as a path into the request body, for example
 * `data.data[0].results[2].amount.value`; the HTTP edge answers 400.
 */
export class BillingFormatError extends ValidationError {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path || 'data'}: ${problem}`, { param: path || 'data', code: 'invalid_billing_export' });
    this.path = path;
  }
}
