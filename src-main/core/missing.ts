import { ApiError, CALL_NAMES } from '../../src-shared/api';
import type { Handlers } from './dispatch';

/**
 * Handlers for the parts of the core that have not landed yet: each call answers with a clear
 * `not_implemented` naming what is missing, so the desk shows it rather than failing mysteriously.
 */
export function missingHandlers(why: (call: string) => string): Handlers {
  const handlers: Record<string, () => never> = {};
  for (const name of CALL_NAMES) {
    handlers[name] = () => {
      throw new ApiError('not_implemented', why(name));
    };
  }
  return handlers as unknown as Handlers;
}
