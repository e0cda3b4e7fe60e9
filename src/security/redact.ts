import type { HelixConfig } from '../core/config/schema.js';

/**
 * The output sanitizer. One process-wide set of known secrets (configured keys, provider keys from
 * the environment, vault values registered at runtime), found in one rolling-hash pass, plus the
 * shapes of common credentials, found by ONE precompiled regular expression: a log line, an error
 * body or an audit row costs two linear scans. The set is process-wide on purpose: the vault, the AI layer and the CLI
 * register what they learn without threading a context through, and masking a value a second
 * server also knows costs nothing.
 */

export const REDACTED = '[redacted]';

/** Shorter values are not secrets worth the false positives (`admin`, `true`, a port). */
const MIN_SECRET_LENGTH = 8;

/**
 * Environment variables that hold provider credentials. Besides these, any variable whose name
 * ends in _API_KEY, _TOKEN, _SECRET or _PASSWORD is treated as one.
 */
export const PROVIDER_KEY_VARS = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GEMINI_API_KEY',
  'MISTRAL_API_KEY',
  'XAI_API_KEY',
  'DEEPSEEK_API_KEY',
  'COHERE_API_KEY',
  'TOGETHER_AI_API_KEY',
  'FIREWORKS_API_KEY',
  'PERPLEXITY_API_KEY',
  'OPENROUTER_API_KEY',
  'VENICE_API_KEY',
  'GROQ_API_KEY',
  'CLOUDFLARE_API_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'HELIX_AUTH_TOKEN',
  'HELIX_JWT_SECRET',
  'HELIX_LLM_API_KEY',
  'HELIX_EMBEDDING_API_KEY',
] as const;
const SECRET_VAR = /(?:_API_KEY|_TOKEN|_SECRET|_PASSWORD)$/;

/**
 * Common credential shapes, whoever's they are. Each is anchored on a distinctive prefix so the
 * combined expression fails fast on ordinary text. `Bearer`/`Basic` keep the scheme word.
 */
const SHAPES = [
  String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`,
  String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
  'sk-[A-Za-z0-9_-]{16,}',
  String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  'gh[pousr]_[A-Za-z0-9]{30,}',
  'github_pat_[A-Za-z0-9_]{22,}',
  'xox[abposr]-[A-Za-z0-9-]{10,}',
  'AIza[0-9A-Za-z_-]{35}',
  'hx_(?:key|ak|sh|oc)_[A-Za-z0-9_-]{8,}',
];
// No leading \b in these: it defeats V8's first-character scan and tripled the cost of a clean
// line. The replacer checks the preceding character instead (`task-…` is not an `sk-` key).
const SCHEME = String.raw`((?:[Bb]earer|BEARER|[Bb]asic|BASIC)\s+)[A-Za-z0-9._~+/=-]{8,}`;
const SHAPE = new RegExp(SHAPES.join('|'));

/**
 * A base64 (or base64url) run that starts with the encoding of a credential prefix: decoded and
 * checked against SHAPES in the replacer, so only a real encoded key is masked, not every blob.
 */
const SHAPE_PREFIXES = [
  'sk-',
  'AKIA',
  'ASIA',
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'ghr_',
  'github_pat_',
  'xoxa-',
  'xoxb-',
  'xoxp-',
  'xoxo-',
  'xoxs-',
  'xoxr-',
  'AIza',
  'hx_key_',
  'hx_ak_',
  'eyJ',
  '-----BEGIN',
];
const B64_PREFIXES = [
  ...new Set(
    SHAPE_PREFIXES.map((p) => {
      const whole = Math.floor(p.length / 3) * 3;
      return Buffer.from(p.slice(0, whole)).toString('base64').replace(/\+/g, '\\+').replace(/\//g, '\\/');
    }),
  ),
];
const ENCODED_SHAPE = `((?:${B64_PREFIXES.join('|')})[A-Za-z0-9+/_-]{12,}={0,2})`;
const SHAPES_RE = new RegExp([SCHEME, ENCODED_SHAPE, ...SHAPES].map((p) => `(?:${p})`).join('|'), 'g');
const WORD_BEFORE = /[A-Za-z0-9_]/;

const known = new Set<string>();

/**
 * Known secrets are found in one pass, by whichever of two scanners is faster for the set's size
 * (measured, docs/benchmarks.md): up to LITERAL_REGEX_MAX forms, one alternation regex (V8 scans
 * it natively); beyond that its cost grows with every form, so a 64 Ki-entry table of the first
 * two characters of every form says at which positions one could start, and only there are the
 * forms with that bigram compared: flat in the number of secrets (vault values add up).
 */
const LITERAL_REGEX_MAX = 40;
let literalRe: RegExp | null = null;
let starts = new Uint8Array(1 << 16);
let byBigram = new Map<number, string[]>();
const bigram = (s: string, at: number) => ((s.charCodeAt(at) << 8) ^ s.charCodeAt(at + 1)) & 0xffff;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// longest first, so a secret that contains another is masked whole
const longestFirst = (a: string, b: string) => b.length - a.length;

function rebuildIndex(): void {
  literalRe = null;
  starts = new Uint8Array(1 << 16);
  byBigram = new Map();
  if (known.size === 0) return;
  if (known.size <= LITERAL_REGEX_MAX) {
    literalRe = new RegExp([...known].sort(longestFirst).map(escapeRegex).join('|'), 'g');
    return;
  }
  for (const form of known) {
    const b = bigram(form, 0);
    starts[b] = 1;
    const list = byBigram.get(b) ?? [];
    list.push(form);
    list.sort(longestFirst);
    byBigram.set(b, list);
  }
}

function maskKnown(text: string): string {
  if (known.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  if (literalRe) {
    literalRe.lastIndex = 0;
    if (!literalRe.test(text)) return text;
    literalRe.lastIndex = 0;
    return text.replace(literalRe, REDACTED);
  }
  const table = starts;
  const last = text.length - MIN_SECRET_LENGTH;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i <= last) {
    const b = ((text.charCodeAt(i) << 8) ^ text.charCodeAt(i + 1)) & 0xffff;
    if (table[b] === 1) {
      const hit = byBigram.get(b)?.find((form) => text.startsWith(form, i));
      if (hit) {
        out += text.slice(copied, i) + REDACTED;
        i += hit.length;
        copied = i;
        continue;
      }
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The forms a secret may take in output: raw, base64, base64url, JSON-escaped, URL-encoded. */
function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(Buffer.from(secret, 'utf8').toString('base64url'));
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * Adds a value to the known secrets (and its encoded forms). The vault calls this for every value
 * it reveals; values shorter than 8 characters are ignored.
 */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return;
  let added = false;
  for (const form of formsOf(trimmed)) {
    if (known.has(form)) continue;
    known.add(form);
    added = true;
  }
  if (added) rebuildIndex();
}

/** The secrets a configuration holds: the shared token, JWT secret, provider keys, mail passwords. */
export function registerConfigSecrets(config: HelixConfig): void {
  for (const v of [
    config.auth.token,
    config.auth.jwt_secret,
    config.embedding.api_key,
    config.llm.api_key,
    config.email.imap_password,
    config.email.smtp_password,
  ])
    registerSecret(v);
  const redis = config.rate_limit.redis_url;
  if (redis) {
    try {
      registerSecret(decodeURIComponent(new URL(redis).password));
    } catch {
      registerSecret(redis);
    }
  }
}

const registeredConfigs = new WeakSet<HelixConfig>();
/** `registerConfigSecrets` once per configuration object (cheap to call on every audit row). */
export function ensureConfigSecrets(config: HelixConfig): void {
  if (registeredConfigs.has(config)) return;
  registeredConfigs.add(config);
  registerConfigSecrets(config);
}

/** Provider keys and other credentials found in the environment. */
export function registerEnvSecrets(env: Record<string, string | undefined> = process.env): void {
  for (const name of PROVIDER_KEY_VARS) registerSecret(env[name]);
  for (const [name, value] of Object.entries(env)) if (SECRET_VAR.test(name)) registerSecret(value);
}

/** Masks every known secret and credential shape in a string. */
export function redact(text: string): string {
  const masked = maskKnown(text);
  SHAPES_RE.lastIndex = 0;
  if (!SHAPES_RE.test(masked)) return masked;
  SHAPES_RE.lastIndex = 0;
  return masked.replace(
    SHAPES_RE,
    (match: string, scheme: string | undefined, encoded: string | undefined, offset: number) => {
      if (offset > 0 && WORD_BEFORE.test(masked[offset - 1]!)) return match;
      // `Basic credentials`, `Bearer authentication`: prose, not a credential
      if (scheme) return /^[a-z]{8,15}$/.test(match.slice(scheme.length)) ? match : `${scheme}${REDACTED}`;
      if (encoded) return SHAPE.test(Buffer.from(encoded, 'base64').toString('latin1')) ? REDACTED : match;
      return REDACTED;
    },
  );
}

/** Masks strings anywhere in a JSON-like value (error details, audit rows); returns a copy. */
export function redactValue<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v, depth + 1);
  return out as T;
}

/** For tests: forget the registered secrets. */
export function resetSecretsForTests(): void {
  known.clear();
  rebuildIndex();
}

/** How many literal forms are known (diagnostics and the benchmark). */
export const knownSecretCount = (): number => known.size;
