import { assertKafkajsPatched } from './patched-kafkajs';

describe('assertKafkajsPatched', () => {
  it('passes on the kafkajs that npm ci installs (patch-package runs from postinstall)', () => {
    expect(() => assertKafkajsPatched()).not.toThrow();
  });
});
