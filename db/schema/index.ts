export * from './org';
export * from './keys';
export * from './catalog';
export * from './ledger';
export * from './governance';
export * from './outcomes';
export * from './billing';
export * from './upstreams';
