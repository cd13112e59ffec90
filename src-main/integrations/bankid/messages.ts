import { RFA, type UserMessage } from '../../../src-shared/domain/bankid-messages';
import type { BankIdError } from './errors';

export { RFA, abortedMessage, completeMessage, failedMessage, pendingMessage, type Language, type MessageContext, type UserMessage } from '../../../src-shared/domain/bankid-messages';

/** An API or transport error, as the user should read it (details go to the log, not the screen). */
export function errorMessage(error: BankIdError): UserMessage {
  switch (error.code) {
    case 'bankid.already_in_progress':
      return RFA.RFA4;
    case 'bankid.internal_error':
    case 'bankid.maintenance':
    case 'bankid.request_timeout':
    case 'bankid.rate_limited':
    case 'bankid.transport':
      return RFA.RFA5;
    default:
      return RFA.RFA22;
  }
}

