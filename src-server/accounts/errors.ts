import { HttpError } from '../http/errors';

/** Refusals of the accounts and console APIs: an HttpError with a message written for a person. */
export const refuse = (status: number, code: string, message: string, field?: string): HttpError =>
  new HttpError(status, code, message, field === undefined ? {} : { field });
