import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { formatZodError, zodIssues } from '../../src-shared/schemas/errors';
import type { ApiError } from '../../src-shared/sync/protocol';
import { AuthError } from '../auth/service';
import { PushRefused } from '../sync/push';
import { UnknownClinicError } from '../sync/transact';

/** An expected refusal with an HTTP status and a message written for the person at the desk. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Partial<ApiError> = {},
  ) {
    super(message);
  }
}

/** Parses an outside input or throws a 400 that names the field ("body.mutations.0.seq: ..."). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const first = zodIssues(r.error)[0];
  const prefixed = formatZodError(r.error)
    .split('; ')
    .map((s) => `${where}.${s}`)
    .join('; ');
  throw new HttpError(400, 'invalid_request', prefixed, first ? { field: `${where}.${first.field}` } : {});
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    let status = 500;
    let body: ApiError = { error: 'internal_error', message: 'The server failed to handle this request. It has been logged; try again later.' };
    if (error instanceof HttpError) {
      status = error.status;
      body = { error: error.code, message: error.message, ...error.extra };
    } else if (error instanceof AuthError) {
      status = error.status;
      body = { error: error.code, message: error.message };
    } else if (error instanceof PushRefused) {
      status = error.status;
      body = { error: error.code, message: error.message, ...error.extra };
    } else if (error instanceof UnknownClinicError) {
      status = 404;
      body = { error: 'unknown_clinic', message: 'This clinic does not exist.' };
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own refusals: malformed JSON, body too large, wrong content type, ...
      status = error.statusCode;
      const code = 'code' in error && typeof error.code === 'string' ? error.code : 'bad_request';
      const message =
        status === 413
          ? 'The request is too large.'
          : code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'The request must be JSON (Content-Type: application/json).'
            : /JSON|Unexpected|prototype|property/i.test(error.message)
              ? `The request body is not valid JSON: ${error.message}`
              : error.message;
      body = { error: code, message };
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: 'not_found', message: `There is no ${request.method} ${request.url.split('?')[0]} on this server.` } satisfies ApiError);
  });
}
