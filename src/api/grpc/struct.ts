/**
 * google.protobuf.Struct in the object form proto-loader uses, to carry the free-form JSON of
 * `metadata` and `explain` with their REST names. Numbers, strings, booleans, null, lists and
 * objects round-trip; anything else (undefined, functions) is dropped, as JSON would.
 */
export interface StructValue {
  nullValue?: string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: Struct;
  listValue?: { values?: StructValue[] };
}
export interface Struct {
  fields?: Record<string, StructValue>;
}

function toValue(v: unknown): StructValue | undefined {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v))
    return { listValue: { values: v.map((x) => toValue(x) ?? { nullValue: 'NULL_VALUE' }) } };
  if (typeof v === 'object') return { structValue: toStruct(v as Record<string, unknown>) };
  return undefined;
}

// Object.fromEntries defines own properties, so a key named `__proto__` stays plain data
export function toStruct(obj: Record<string, unknown>): Struct {
  const fields = Object.entries(obj).flatMap(([k, v]) => {
    const value = toValue(v);
    return value ? [[k, value] as const] : [];
  });
  return { fields: Object.fromEntries(fields) };
}

function fromValue(v: StructValue): unknown {
  if (v.structValue !== undefined) return fromStruct(v.structValue);
  if (v.listValue !== undefined) return (v.listValue.values ?? []).map(fromValue);
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return null;
}

export function fromStruct(s: Struct | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s?.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));
}
