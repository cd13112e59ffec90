export * from './contract';
export * from './errors';
export * from './inputs';
export * from './notices';
export * from './permissions';
export * from './views';
export * from './wire';
