// The public API of the pure domain core. Other boxes import from here or from the module itself.
export * from './result';
export * from './money';
export * from './dates';
export * from './luhn';
export * from './personnummer';
export * from './ocr';
export * from './bankgiro';
export * from './invoice-series';
export * from './installments';
export * from './order-state';
