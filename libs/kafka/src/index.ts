export * from './codecs';
export * from './create-kafka';
export * from './dead-letter-writer';
export * from './describe-kafka-error';
export * from './patched-kafkajs';
