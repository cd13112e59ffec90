import type { FastifyRequest } from 'fastify';
import { MIN_SUPPORTED_PROTOCOL, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src-shared/sync/protocol';
import { HttpError } from './errors';

/** Refuses a desk whose protocol the server cannot speak, with a message the desk can show. */
export function checkProtocol(request: FastifyRequest): void {
  const raw = request.headers[PROTOCOL_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) {
    throw new HttpError(400, 'protocol_missing', `The request must announce its sync protocol version in the ${PROTOCOL_HEADER} header.`, { serverProtocol: PROTOCOL_VERSION });
  }
  const v = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(v)) throw new HttpError(400, 'protocol_invalid', `${PROTOCOL_HEADER} must be a whole number, got "${value.slice(0, 20)}".`, { serverProtocol: PROTOCOL_VERSION });
  if (v < MIN_SUPPORTED_PROTOCOL) {
    throw new HttpError(426, 'protocol_too_old', `This Kassa desk is too old for the sync server (desk protocol ${v}, server needs ${MIN_SUPPORTED_PROTOCOL}–${PROTOCOL_VERSION}). Update Kassa on this desk.`, { serverProtocol: PROTOCOL_VERSION });
  }
  if (v > PROTOCOL_VERSION) {
    throw new HttpError(400, 'protocol_too_new', `This Kassa desk is newer than the sync server (desk protocol ${v}, server speaks up to ${PROTOCOL_VERSION}). The server must be updated before this desk can sync; your work is kept on the desk meanwhile.`, { serverProtocol: PROTOCOL_VERSION });
  }
}
