export * from './bridge-config';
export * from './env-variables';
export * from './env.dto';
export * from './validate-env';
export * from './load-bridge-config';
export * from './load-config-parts';
export * from './bridge-config.module';
export * from './egress';
