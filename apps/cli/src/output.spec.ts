import { cell, encodeBytes, encodeHeaders, table } from './output';

describe('output', () => {
  it('encodes bytes as UTF-8 when valid, else base64, and keeps null', () => {
    expect(encodeBytes(Buffer.from('é€😀'))).toEqual({ utf8: 'é€😀' });
    expect(encodeBytes(Buffer.from([0xc3, 0x28]))).toEqual({ base64: 'wyg=' });
    expect(encodeBytes(null)).toBeNull();
    expect(encodeHeaders({ a: [Buffer.from('x'), Buffer.from([0xff])], b: undefined })).toEqual({
      a: [{ utf8: 'x' }, { base64: '/w==' }],
    });
  });

  it('makes one safe, bounded cell of any text', () => {
    expect(cell(undefined)).toBe('-');
    expect(cell('a\nb\t\u001b[31mc')).toBe('a b [31mc');
    expect(cell('x'.repeat(100), 80)).toBe(`${'x'.repeat(79)}…`);
    expect(cell('short', 80)).toBe('short');
  });

  it('aligns columns, counting characters, not bytes', () => {
    expect(
      table(
        ['A', 'B', 'C'],
        [
          ['é€', 'x', 'last'],
          ['1', 'long', ''],
        ],
      ),
    ).toEqual(['A   B     C', 'é€  x     last', '1   long']);
  });
});
