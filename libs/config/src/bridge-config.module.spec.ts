import { Inject, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BridgeConfig } from './bridge-config';
import { BRIDGE_CONFIG, BridgeConfigModule } from './bridge-config.module';

@Injectable()
class NeedsConfig {
  constructor(@Inject(BRIDGE_CONFIG) readonly config: BridgeConfig) {}
}

describe('BridgeConfigModule', () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });

  it('provides the configuration read from process.env, globally', async () => {
    process.env = { BRIDGE_TOPICS: 'orders', BRIDGE_TARGETS: 'datastream', NCP_ACCESS_KEY: 'a', NCP_SECRET_KEY: 's' };
    const moduleRef = await Test.createTestingModule({
      imports: [BridgeConfigModule],
      providers: [NeedsConfig],
    }).compile();
    const { config } = moduleRef.get(NeedsConfig);
    expect(config.topics).toEqual(['orders']);
    expect(config.targets).toEqual(['datastream']);
    expect(moduleRef.get(BRIDGE_CONFIG)).toBe(config);
  });

  it('fails to start on a bad environment', async () => {
    process.env = { BRIDGE_TOPICS: '' };
    await expect(Test.createTestingModule({ imports: [BridgeConfigModule] }).compile()).rejects.toThrow(
      /^BRIDGE_TOPICS is required/,
    );
  });
});
