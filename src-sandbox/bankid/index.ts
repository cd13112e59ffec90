export { startBankIdSimulator, DEFAULT_SIM_CONFIG, RP_PREFIX, type BankIdSimulator, type BankIdSimulatorOptions, type BankIdSimulatorTls } from './server';
export { BankIdControlClient, BankIdControlError, type SimOrderView } from './control-client';
export { createBankIdTestPki, type BankIdTestPki } from './pki';
export { describeBankIdSimulator } from './describe';
export type { CompleteInput, ConfigInput, FaultInput, HintInput, ScanQrResult, TargetInput } from './control-schemas';
