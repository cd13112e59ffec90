export { createBankIdClient, type BankIdAuthInput, type BankIdClient, type BankIdClientOptions, type BankIdCollect, type BankIdOrder } from './client';
export type { BankIdError, BankIdErrorKind } from './errors';
export { startBankIdLogin, type BankIdLoginFlow, type BankIdLoginOptions, type BankIdLoginResult } from './login-flow';
export { RFA, errorMessage, failedMessage, pendingMessage, type Language, type UserMessage } from './messages';
export { animatedQrText, autoStartUrl, qrAuthCode, qrTimeAt } from './qr';
export { BANKID_PROD_URL, BANKID_TEST_URL, BankIdFlowUpdate } from '../../../src-shared/schemas/bankid';
