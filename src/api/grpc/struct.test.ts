import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peerAddress } from './call.js';
import { fromStruct, toStruct } from './struct.js';

describe('google.protobuf.Struct conversion', () => {
  it('round-trips any JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        // JSON itself drops -0 and keeps the rest: compare through it
        const json = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
        expect(fromStruct(toStruct(json))).toEqual(json);
      }),
    );
  });

  it('reads an absent struct as an empty object', () => {
    expect(fromStruct(undefined)).toEqual({});
    expect(fromStruct({})).toEqual({});
  });
});

describe('peerAddress', () => {
  it('takes the address out of a grpc peer string', () => {
    expect(peerAddress('ipv4:127.0.0.1:50123')).toBe('127.0.0.1');
    expect(peerAddress('ipv6:[::1]:50123')).toBe('::1');
    expect(peerAddress('unix:/tmp/x')).toBeUndefined();
  });
});
