import { z } from 'zod';
import { ApiErrorBody } from './errors';

/**
 * Frames of the browser host's WebSocket. Both sides parse every frame with these schemas; the
 * call's own input/output are validated by the core against the contract.
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

export const RequestFrame = z.object({
  id: z.number().int().nonnegative().safe(),
  call: z.string().min(1).max(64),
  input: z.unknown(),
}).strict();
export type RequestFrame = z.infer<typeof RequestFrame>;

export const ResponseFrame = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: ApiErrorBody }),
]);
export type ResponseFrame = z.infer<typeof ResponseFrame>;

/** The name the Electron preload exposes on `window`. */
export const PRELOAD_GLOBAL = 'kassa';
/** IPC channel per call: one handler per contract entry, nothing generic. */
export const ipcChannel = (call: string): string => `kassa:${call}`;
