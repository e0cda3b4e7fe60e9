import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { HelixError } from '../../core/errors.js';
import { fnv1a } from './tokenize.js';

/**
 * A compact binary word-vector table, built once from the npm package and then loaded in tens of
 * milliseconds: one `readFileSync` and typed-array views, no parsing, no per-word objects.
 *
 * Layout (little-endian; every section starts on an 8-byte boundary):
 *   header  64 B   magic "HXWORDV\0", version, dims, size, slots, chars, quant, flags, endian mark
 *   offsets u32 × (size + 1)   start of each word in `chars`
 *   chars   u16 × chars        words as UTF-16 code units, so lookups compare without decoding
 *   slots   u32 × slots        open-addressing hash table (FNV-1a, linear probing): row + 1, 0 = empty
 *   scales  f32 × size         per-row dequantization scale
 *   vectors i8  × size × dims  rows quantized to int8 (value = q × scale): 4× smaller than f32 and,
 *                              on unit rows, within ~0.5 % of the original direction
 * Rows are in the source's frequency order, so a row number is also a frequency rank.
 */
const MAGIC = Buffer.from('HXWORDV\0', 'latin1');
export const GLOVE_TABLE_VERSION = 1;
const HEADER_BYTES = 64;
const ENDIAN_MARK = 0x01020304;
const QUANT_INT8_ROW_SCALE = 1;

export interface GloveTableHeader {
  version: number;
  dimensions: number;
  size: number;
  slots: number;
  chars: number;
  flags: number;
}

export interface GloveTableSource {
  dimensions: number;
  words: string[];
  /** `words.length × dimensions`, row-major */
  vectors: Float32Array;
  /** free bits recorded in the header, e.g. how rows were preprocessed */
  flags?: number;
}

const align8 = (n: number) => (n + 7) & ~7;

function sections(h: GloveTableHeader) {
  const offsets = HEADER_BYTES;
  const chars = align8(offsets + 4 * (h.size + 1));
  const slots = align8(chars + 2 * h.chars);
  const scales = align8(slots + 4 * h.slots);
  const vectors = align8(scales + 4 * h.size);
  return { offsets, chars, slots, scales, vectors, total: vectors + h.size * h.dimensions };
}

const corrupt = (path: string, why: string) =>
  new HelixError('internal_error', `word vector table ${path} is unusable (${why}): delete it to rebuild`, {
    path,
  });

function parseHeader(buf: Buffer, path: string): GloveTableHeader {
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC)) throw corrupt(path, 'not a table');
  if (buf.readUInt32LE(36) !== ENDIAN_MARK) throw corrupt(path, 'written on a big-endian machine');
  const h = {
    version: buf.readUInt32LE(8),
    dimensions: buf.readUInt32LE(12),
    size: buf.readUInt32LE(16),
    slots: buf.readUInt32LE(20),
    chars: buf.readUInt32LE(24),
    flags: buf.readUInt32LE(32),
  };
  if (h.version !== GLOVE_TABLE_VERSION)
    throw corrupt(path, `format ${h.version}, expected ${GLOVE_TABLE_VERSION}`);
  if (buf.readUInt32LE(28) !== QUANT_INT8_ROW_SCALE) throw corrupt(path, 'unknown quantization');
  return h;
}

/** The header alone (for status pages); `undefined` when the file is absent or not a current table. */
export function readGloveHeader(path: string): (GloveTableHeader & { bytes: number }) | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(HEADER_BYTES);
    readSync(fd, buf, 0, HEADER_BYTES, 0);
    const h = parseHeader(buf, path);
    const bytes = statSync(path).size;
    return bytes === sections(h).total ? { ...h, bytes } : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function encodeGloveTable(src: GloveTableSource): Buffer {
  const { dimensions: dims, words } = src;
  const size = words.length;
  if (src.vectors.length !== size * dims)
    throw new HelixError('internal_error', 'vectors do not match words × dims');
  let slots = 1;
  while (slots < size * 2) slots <<= 1; // load factor ≤ 0.5 keeps probe chains short
  const chars = words.reduce((n, w) => n + w.length, 0);
  const h: GloveTableHeader = {
    version: GLOVE_TABLE_VERSION,
    dimensions: dims,
    size,
    slots,
    chars,
    flags: src.flags ?? 0,
  };
  const at = sections(h);
  const buf = Buffer.alloc(at.total);
  MAGIC.copy(buf, 0);
  const fields = [h.version, dims, size, slots, chars, QUANT_INT8_ROW_SCALE, h.flags, ENDIAN_MARK];
  for (const [i, v] of fields.entries()) buf.writeUInt32LE(v, 8 + 4 * i);
  const ab = buf.buffer;
  const offsets = new Uint32Array(ab, buf.byteOffset + at.offsets, size + 1);
  const charArr = new Uint16Array(ab, buf.byteOffset + at.chars, chars);
  const slotArr = new Uint32Array(ab, buf.byteOffset + at.slots, slots);
  const scales = new Float32Array(ab, buf.byteOffset + at.scales, size);
  const q = new Int8Array(ab, buf.byteOffset + at.vectors, size * dims);
  let c = 0;
  for (let row = 0; row < size; row++) {
    const w = words[row]!;
    offsets[row] = c;
    for (let i = 0; i < w.length; i++) charArr[c++] = w.charCodeAt(i);
    let s = fnv1a(w) & (slots - 1);
    while (slotArr[s] !== 0) s = (s + 1) & (slots - 1);
    slotArr[s] = row + 1;
    let max = 0;
    for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(src.vectors[row * dims + d]!));
    const scale = max / 127;
    scales[row] = scale;
    for (let d = 0; d < dims; d++)
      q[row * dims + d] = scale === 0 ? 0 : Math.round(src.vectors[row * dims + d]! / scale);
  }
  offsets[size] = c;
  return buf;
}

/** Writes through a temporary file and a rename, so a crash never leaves a half-written table. */
export function writeGloveTable(path: string, src: GloveTableSource): number {
  const buf = encodeGloveTable(src);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, buf);
  renameSync(tmp, path);
  return buf.length;
}

export class GloveTable {
  readonly dimensions: number;
  readonly size: number;
  readonly flags: number;
  readonly bytes: number;
  private readonly offsets: Uint32Array;
  private readonly chars: Uint16Array;
  private readonly slots: Uint32Array;
  private readonly mask: number;
  private readonly scales: Float32Array;
  private readonly q: Int8Array;

  private constructor(buf: Buffer, path: string) {
    if (endianness() !== 'LE') throw corrupt(path, 'big-endian machines are not supported');
    const h = parseHeader(buf, path);
    const at = sections(h);
    if (buf.length !== at.total) throw corrupt(path, `size ${buf.length}, expected ${at.total}`);
    // typed-array views need aligned offsets; a pooled Buffer might not start on one
    const aligned = buf.byteOffset % 8 === 0 ? buf : Buffer.from(new Uint8Array(buf));
    const ab = aligned.buffer;
    const o = aligned.byteOffset;
    this.dimensions = h.dimensions;
    this.size = h.size;
    this.flags = h.flags;
    this.bytes = buf.length;
    this.offsets = new Uint32Array(ab, o + at.offsets, h.size + 1);
    this.chars = new Uint16Array(ab, o + at.chars, h.chars);
    this.slots = new Uint32Array(ab, o + at.slots, h.slots);
    this.mask = h.slots - 1;
    this.scales = new Float32Array(ab, o + at.scales, h.size);
    this.q = new Int8Array(ab, o + at.vectors, h.size * h.dimensions);
  }

  static load(path: string): GloveTable {
    return new GloveTable(readFileSync(path), path);
  }

  static fromBuffer(buf: Buffer, label = '(memory)'): GloveTable {
    return new GloveTable(buf, label);
  }

  /** Row (= frequency rank) of `word`, or -1. Exact: the stored spelling is compared, not just the hash. */
  lookup(word: string): number {
    const n = word.length;
    for (let s = fnv1a(word) & this.mask; ; s = (s + 1) & this.mask) {
      const v = this.slots[s]!;
      if (v === 0) return -1;
      const row = v - 1;
      const start = this.offsets[row]!;
      if (this.offsets[row + 1]! - start !== n) continue;
      let i = 0;
      while (i < n && this.chars[start + i] === word.charCodeAt(i)) i++;
      if (i === n) return row;
    }
  }

  word(row: number): string {
    return String.fromCharCode(...this.chars.subarray(this.offsets[row]!, this.offsets[row + 1]!));
  }

  /** acc += weight × row, dequantizing on the fly. */
  addRow(acc: Float32Array, row: number, weight: number): void {
    const dims = this.dimensions;
    const s = this.scales[row]! * weight;
    const base = row * dims;
    for (let d = 0; d < dims; d++) acc[d] = acc[d]! + this.q[base + d]! * s;
  }

  row(row: number): Float32Array {
    const v = new Float32Array(this.dimensions);
    this.addRow(v, row, 1);
    return v;
  }
}
