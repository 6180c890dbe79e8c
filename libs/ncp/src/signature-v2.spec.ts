import { inspect } from 'node:util';
import { SignatureV2 } from './signature-v2';

const credentials = { accessKey: 'AKIDEXAMPLE0000000000', secretKey: 'SECRETEXAMPLE00000000000000000000000000' };

describe('SignatureV2', () => {
  it('matches the known signature v2 test vector', () => {
    const headers = new SignatureV2(credentials, () => 1700000000000).headers('POST', '/api/produce');
    expect(headers).toEqual({
      'x-ncp-apigw-timestamp': '1700000000000',
      'x-ncp-iam-access-key': 'AKIDEXAMPLE0000000000',
      'x-ncp-apigw-signature-v2': 'X0AGI5oIXKhyPGEooA/3B9eWPT4S7xyBdlB9grGheRU=',
    });
  });

  it('signs the query string as part of the path', () => {
    // HMAC-SHA256 of "GET /cw_fea/real/cw/api/integration?pageNum=1&pageSize=10\n1700000000000\nAKIDEXAMPLE0000000000"
    const signature = SignatureV2.sign(
      credentials.secretKey,
      'GET',
      '/cw_fea/real/cw/api/integration?pageNum=1&pageSize=10',
      '1700000000000',
      credentials.accessKey,
    );
    expect(signature).toBe('1iLbouVreyLWTfyV1j0eWHWqUZrpYvv10TjFc/sbEes=');
    expect(signature).not.toBe(
      SignatureV2.sign(
        credentials.secretKey,
        'GET',
        '/cw_fea/real/cw/api/integration',
        '1700000000000',
        credentials.accessKey,
      ),
    );
  });

  it('stamps each request with the clock, and signs again when the time moves', () => {
    let now = 1700000000000;
    const signer = new SignatureV2(credentials, () => now);
    const first = signer.headers('POST', '/api/produce');
    expect(signer.headers('POST', '/api/produce')).toEqual(first);
    now += 1;
    const second = signer.headers('POST', '/api/produce');
    expect(second['x-ncp-apigw-timestamp']).toBe('1700000000001');
    expect(second['x-ncp-apigw-signature-v2']).toBe(
      SignatureV2.sign(credentials.secretKey, 'POST', '/api/produce', '1700000000001', credentials.accessKey),
    );
    expect(second['x-ncp-apigw-signature-v2']).not.toBe(first['x-ncp-apigw-signature-v2']);
  });

  it('keeps the secret key out of logs and JSON', () => {
    const signer = new SignatureV2(credentials);
    expect(JSON.stringify(signer)).not.toContain(credentials.secretKey);
    expect(inspect(signer, { depth: 5, showHidden: true })).not.toContain(credentials.secretKey);
  });
});
