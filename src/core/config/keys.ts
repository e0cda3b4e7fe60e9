import type { z } from 'zod';
import { configSchema } from './schema.js';

export type KeyType = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'enum';

export interface ConfigKey {
  section: string;
  key: string;
  /** `section.key` */
  path: string;
  /** `HELIX_<SECTION>_<KEY>` */
  envName: string;
  type: KeyType;
  values?: readonly string[];
  defaultValue: unknown;
  description: string;
}

type Def = { type: string; innerType?: z.ZodType; defaultValue?: unknown; checks?: unknown[] };
const defOf = (t: z.ZodType): Def => (t as unknown as { _zod: { def: Def } })._zod.def;

function keyType(inner: z.ZodType): Pick<ConfigKey, 'type' | 'values'> {
  const def = defOf(inner);
  switch (def.type) {
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'number': {
      const isInt = (inner as unknown as { format?: string }).format?.includes('int') ?? false;
      return { type: isInt ? 'integer' : 'number' };
    }
    case 'array':
      return { type: 'string[]' };
    case 'enum':
      return { type: 'enum', values: (inner as unknown as { options: string[] }).options };
    default:
      throw new Error(`config schema: unsupported key type ${def.type}`);
  }
}

function buildKeys(): ConfigKey[] {
  const keys: ConfigKey[] = [];
  for (const [section, wrapped] of Object.entries(configSchema.shape)) {
    const obj = defOf(wrapped as z.ZodType).innerType as unknown as { shape: Record<string, z.ZodType> };
    for (const [key, field] of Object.entries(obj.shape)) {
      const def = defOf(field);
      keys.push({
        section,
        key,
        path: `${section}.${key}`,
        envName: `HELIX_${section}_${key}`.toUpperCase(),
        ...keyType(def.innerType as z.ZodType),
        defaultValue: def.defaultValue,
        description: field.description ?? '',
      });
    }
  }
  return keys;
}

/** Every configuration key, in schema order. */
export const configKeys: readonly ConfigKey[] = buildKeys();

const byPath = new Map(configKeys.map((k) => [k.path, k]));
export const findKey = (path: string): ConfigKey | undefined => byPath.get(path);

/** Turns a string (from the environment, a flag or `hx config set`) into the key's type. */
export function parseKeyValue(key: ConfigKey, raw: string): unknown {
  switch (key.type) {
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      return raw; // left as a string so validation reports the key and the bad value
    }
    case 'integer':
    case 'number': {
      const n = Number(raw.trim());
      return raw.trim() === '' || Number.isNaN(n) ? raw : n;
    }
    case 'string[]': {
      const t = raw.trim();
      if (t.startsWith('[')) {
        try {
          return JSON.parse(t);
        } catch {
          return raw;
        }
      }
      return t === '' ? [] : t.split(',').map((s) => s.trim());
    }
    default:
      return raw;
  }
}
