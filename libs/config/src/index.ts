export * from './bridge-config';
export * from './env-variables';
export * from './env.dto';
export * from './load-bridge-config';
export * from './bridge-config.module';
