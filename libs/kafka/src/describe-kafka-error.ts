/** What an error message may name about the cluster: never the password. */
export interface KafkaEndpoint {
  brokers: readonly string[];
  ssl?: boolean;
  /** whether a client certificate is configured */
  tls?: { cert?: unknown };
  sasl?: { mechanism: string; username?: string };
}

interface Link {
  name?: string;
  message: string;
  code?: string;
  broker?: string;
}

/** The brokers refused this client's certificate, or want one. */
const CLIENT_CERT = 'client certificate';
const UNTRUSTED =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_SIGNATURE_FAILURE)$/;
const TLS_HINTS: [RegExp, string][] = [
  [UNTRUSTED, "is KAFKA_SSL_CA_FILE your brokers' CA?"],
  [/^CERT_(HAS_EXPIRED|NOT_YET_VALID)$/, "the broker's certificate is outside its validity period"],
  [
    /^ERR_TLS_CERT_ALTNAME_INVALID$/,
    "the broker's certificate does not name this host: list brokers by a name it carries",
  ],
  [/^ERR_SSL_.*(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN)$/, CLIENT_CERT],
  [/^ERR_SSL_/, 'is this a TLS listener?'],
];
const CONNECTION_FAILURE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|Connection (error|timeout)/i;

/** OpenSSL's `HEX:error:HEX:lib:func:reason:file:line:...` as its reason; one line either way. */
function readable(message: string): string {
  const text = message.replace(/^Connection error: /, '');
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(text);
  return (openssl ? openssl[1] : text).replace(/\s+/g, ' ').trim();
}

/** kafkajs wraps the real cause (`originalError`, `cause`) a few levels deep. */
function chainOf(err: unknown): Link[] {
  const links: Link[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    const e = current as Partial<Link> & { originalError?: unknown; cause?: unknown };
    links.push({ name: e.name, message: e.message ?? String(current), code: e.code, broker: e.broker });
    current = e.originalError ?? e.cause;
  }
  return links;
}

/**
 * One line for a failure to talk to Kafka, naming the cause a person can act on: an untrusted or
 * mismatched certificate, a refused SASL login (user and mechanism, never the password), an
 * unreachable broker; else the messages of the error chain.
 */
export function describeKafkaError(err: unknown, kafka?: KafkaEndpoint): string {
  const chain = chainOf(err);
  const messages = [...new Set(chain.map((l) => l.message.replace(/\s+/g, ' ').trim()))];
  const where = chain.find((l) => l.broker)?.broker ?? kafka?.brokers.join(',') ?? 'the brokers';
  if (chain.some((l) => l.name === 'KafkaJSSASLAuthenticationError')) {
    const user = kafka?.sasl?.username === undefined ? '' : ` for user ${JSON.stringify(kafka.sasl.username)}`;
    const mechanism = kafka?.sasl ? ` (${kafka.sasl.mechanism})` : '';
    return `SASL authentication failed${user}${mechanism} at ${where}: check KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD`;
  }
  for (const link of chain) {
    let hint = TLS_HINTS.find(([code]) => code.test(link.code ?? ''))?.[1];
    if (hint === undefined) continue;
    if (hint === CLIENT_CERT) {
      hint = kafka?.tls?.cert
        ? 'the brokers do not accept KAFKA_SSL_CERT_FILE: is it signed by a CA they trust?'
        : 'the brokers ask for a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE';
    }
    return `cannot connect to Kafka at ${where} over TLS: ${readable(link.message)} (${hint})`;
  }
  const connection = chain.some((l) => l.name === 'KafkaJSConnectionError' || CONNECTION_FAILURE.test(l.message));
  const kafkajs = chain.some((l) => l.name?.startsWith('KafkaJS'));
  if (kafkajs && connection && kafka) return `cannot reach Kafka at ${kafka.brokers.join(',')}: ${messages.join(': ')}`;
  return messages.join(': ').replace(/\s+/g, ' ').trim();
}
