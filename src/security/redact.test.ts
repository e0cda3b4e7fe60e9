import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../core/config/schema.js';
import {
  REDACTED,
  redact,
  redactValue,
  registerConfigSecrets,
  registerEnvSecrets,
  registerSecret,
  resetSecretsForTests,
} from './redact.js';

afterEach(() => resetSecretsForTests());

describe('redact', () => {
  it('masks a registered secret raw, base64, base64url and URL-encoded', () => {
    const secret = 'vault-value/with+odd?chars';
    registerSecret(secret);
    const b64 = Buffer.from(secret).toString('base64');
    const b64url = Buffer.from(secret).toString('base64url');
    const text = `a ${secret} b ${b64} c ${b64url} d ${encodeURIComponent(secret)} e`;
    const out = redact(text);
    expect(out).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d ${REDACTED} e`);
  });

  it('ignores values too short to be secrets and leaves ordinary text untouched', () => {
    registerSecret('admin');
    registerSecret('');
    registerSecret(undefined);
    const text = 'the admin role writes to namespace default at 127.0.0.1:9470';
    expect(redact(text)).toBe(text);
  });

  it('takes the configured secrets and provider keys from the environment', () => {
    registerConfigSecrets(
      configSchema.parse({
        auth: { token: 'tok-0123456789abcdef', jwt_secret: 'jwt-secret-0123456789' },
        embedding: { api_key: 'emb-key-0123456789' },
        llm: { api_key: 'llm-key-0123456789' },
      }),
    );
    registerEnvSecrets({
      ANTHROPIC_API_KEY: 'anth-0123456789',
      MY_SERVICE_TOKEN: 'svc-0123456789',
      HOME: '/root/home',
    });
    for (const s of [
      'tok-0123456789abcdef',
      'jwt-secret-0123456789',
      'emb-key-0123456789',
      'llm-key-0123456789',
      'anth-0123456789',
      'svc-0123456789',
    ])
      expect(redact(`x ${s} y`)).toBe(`x ${REDACTED} y`);
    expect(redact('/root/home')).toBe('/root/home');
  });

  it.each([
    ['openai', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123'],
    ['anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrSt-uvwx'],
    ['aws', 'AKIAIOSFODNN7EXAMPLE'],
    ['github', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'],
    ['slack', 'xoxb-123456789012-abcdefghij'],
    ['google', 'AIzaSyA-0123456789abcdefghijklmnopqrstu'],
    ['helix api key', 'hx_key_3f9a0c1e5b7d2a4c'],
    ['helix access key', 'hx_ak_Zm9vYmFyYmF6cXV4'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ'],
  ])('masks the shape of a %s credential', (_name, value) => {
    expect(redact(`key=${value};`)).toBe(`key=${REDACTED};`);
  });

  it('keeps the scheme of an Authorization value and masks its credential', () => {
    expect(redact('header authorization: Bearer abc.def-ghi_jkl')).toBe(
      `header authorization: Bearer ${REDACTED}`,
    );
    expect(redact('Basic dXNlcjpwYXNzd29yZA==')).toBe(`Basic ${REDACTED}`);
    expect(redact('malformed HTTP Basic credentials')).toBe('malformed HTTP Basic credentials');
  });

  it('masks a PEM private key block whole', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAKC\n-----END RSA PRIVATE KEY-----';
    expect(redact(`before\n${pem}\nafter`)).toBe(`before\n${REDACTED}\nafter`);
  });

  it('masks the longer of two overlapping secrets whole', () => {
    registerSecret('abcdefgh');
    registerSecret('abcdefgh-and-more');
    expect(redact('abcdefgh-and-more')).toBe(REDACTED);
  });

  it('re-compiles when a secret is registered later', () => {
    expect(redact('late-secret-value')).toBe('late-secret-value');
    registerSecret('late-secret-value');
    expect(redact('late-secret-value')).toBe(REDACTED);
  });

  it('redacts strings deep in values and leaves other types alone', () => {
    registerSecret('deep-secret-value');
    const v = { a: 'deep-secret-value', b: [1, 'x deep-secret-value'], c: { d: true, e: null } };
    expect(redactValue(v)).toEqual({ a: REDACTED, b: [1, `x ${REDACTED}`], c: { d: true, e: null } });
  });

  it('never lets a registered secret through, whatever surrounds it (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim() === s),
        fc.string(),
        fc.string(),
        (secret, before, after) => {
          resetSecretsForTests();
          registerSecret(secret);
          const out = redact(`${before}${secret}${after}`);
          return !out.includes(secret) || `${before}${after}`.includes(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('redact: base64-encoded key shapes', () => {
  it.each([
    'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123',
    'AKIAIOSFODNN7EXAMPLE',
    'ghp_0123456789abcdefghijABCDEFGHIJ012345',
    'hx_key_3f9a0c1e5b7d2a4c',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  ])('masks %s encoded as base64 and base64url', (key) => {
    for (const enc of ['base64', 'base64url'] as const) {
      const form = Buffer.from(key).toString(enc);
      expect(redact(`x ${form} y`)).toBe(`x ${REDACTED} y`);
    }
  });

  it('leaves base64 that merely starts like an encoded prefix but decodes to no key', () => {
    const blob = Buffer.from('sk-short and then ordinary words follow here').toString('base64');
    expect(redact(blob)).toBe(blob);
  });

  it('still masks a known secret whose base64 starts like an encoded shape', () => {
    registerSecret('sk-tiny-1');
    const form = Buffer.from('sk-tiny-1').toString('base64');
    expect(redact(`a ${form} b`)).toBe(`a ${REDACTED} b`);
  });
});

describe('redact: many known secrets (the bigram scanner)', () => {
  it('masks every one of 60 registered secrets, raw and base64, and leaves clean text alone', () => {
    const secrets = Array.from({ length: 60 }, (_, i) => `vault-${i}-${(i * 7919).toString(36)}-value`);
    for (const s of secrets) registerSecret(s);
    const clean = 'GET /api/v1/nodes?limit=20 from 127.0.0.1 took 3 ms';
    expect(redact(clean)).toBe(clean);
    for (const s of secrets) {
      expect(redact(`<${s}>`)).toBe(`<${REDACTED}>`);
      expect(redact(`=${Buffer.from(s).toString('base64')};`)).toBe(`=${REDACTED};`);
    }
    expect(redact(`${secrets[1]}${secrets[2]}`)).toBe(`${REDACTED}${REDACTED}`);
  });
});
