import { Global, Module } from '@nestjs/common';
import { loadBridgeConfig } from './load-bridge-config';

/** Injection token of the BridgeConfig: `@Inject(BRIDGE_CONFIG) config: BridgeConfig`. */
export const BRIDGE_CONFIG = 'BRIDGE_CONFIG';

/**
 * Provides the configuration read once from process.env. main.ts validates the environment first
 * (loadConfigOrExit), so a bad value stops the process before Nest starts; tests override the
 * provider with `overrideProvider(BRIDGE_CONFIG).useValue(...)`.
 */
@Global()
@Module({
  providers: [{ provide: BRIDGE_CONFIG, useFactory: () => loadBridgeConfig(process.env) }],
  exports: [BRIDGE_CONFIG],
})
export class BridgeConfigModule {}
