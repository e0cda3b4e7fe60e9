import { describe, expect, it } from 'vitest';
import { filterLine, invalidParams, LineSplitter } from './line-filter.js';

const replyOf = (line: string) => {
  const r = filterLine(line);
  if (!r || !('reply' in r)) throw new Error(`expected a reply for ${line}`);
  return JSON.parse(r.reply) as { id: unknown; error: { code: number } };
};

describe('stdio line filter', () => {
  it('passes valid JSON-RPC through and skips blank lines', () => {
    expect(filterLine('  ')).toBeNull();
    expect(filterLine('{"jsonrpc":"2.0","id":1,"method":"tools/list"}')).toEqual({
      pass: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(filterLine('{"jsonrpc":"2.0","method":"notifications/initialized"}')).not.toBeNull();
  });

  it('answers garbage with the JSON-RPC error the spec names, keeping the id when there is one', () => {
    expect(replyOf('{nope')).toMatchObject({ id: null, error: { code: -32700 } });
    expect(replyOf('[{"jsonrpc":"2.0","id":1,"method":"ping"}]').error.code).toBe(-32600);
    expect(replyOf('{"id":7,"method":"ping"}')).toMatchObject({ id: 7, error: { code: -32600 } });
    expect(replyOf('42').error.code).toBe(-32600);
    expect(
      replyOf('{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"arguments":{}}}'),
    ).toMatchObject({
      id: 'a',
      error: { code: -32602 },
    });
  });

  it('leaves unknown methods to the server (which answers -32601)', () => {
    expect(invalidParams({ jsonrpc: '2.0', id: 1, method: 'no/such' })).toBeNull();
  });

  it('splits lines across chunks and refuses an overlong line without buffering it', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const s = new LineSplitter(
      10,
      (l) => lines.push(l),
      () => tooLong++,
    );
    s.push('ab');
    s.push('c\nde');
    s.push('f\n0123456789ABC');
    s.push('DEF\nok\n');
    expect(lines).toEqual(['abc', 'def', 'ok']);
    expect(tooLong).toBe(1);
  });
});
