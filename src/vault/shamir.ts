import { randomBytes } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { HelixError, invalid } from '../core/errors.js';

/**
 * A share as printed: `hxs1-<set id>-<hex>`. The set id changes on every (re)split, so a share
 * from a rotated-out set is recognised and refused instead of silently yielding a wrong key.
 */
const SHARE_RE = /^hxs1-([0-9a-f]{8})-([0-9a-f]+)$/;

export interface ParsedShare {
  setId: string;
  bytes: Buffer;
  /** the share's x coordinate (the library stores it in the last byte) */
  x: number;
}

export const newSetId = (): string => randomBytes(4).toString('hex');

export async function splitSecret(secret: Uint8Array, shares: number, threshold: number, setId: string) {
  if (!Number.isInteger(shares) || shares < 2 || shares > 255) throw invalid('shares', 'must be 2..255');
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > shares)
    throw invalid('threshold', `must be 2..${shares} (the number of shares)`);
  // the library insists on a plain Uint8Array (a Buffer is refused): copy, then wipe the copy
  const plain = new Uint8Array(secret);
  const parts = await split(plain, shares, threshold).finally(() => plain.fill(0));
  return parts.map((p) => `hxs1-${setId}-${Buffer.from(p).toString('hex')}`);
}

export function parseShare(text: string, expectedLength: number): ParsedShare {
  const m = SHARE_RE.exec(text.trim().toLowerCase());
  if (!m || m[2]!.length % 2 !== 0) throw invalid('share', 'not a Helix share (expected hxs1-<set>-<hex>)');
  const bytes = Buffer.from(m[2]!, 'hex');
  if (bytes.length !== expectedLength) throw invalid('share', 'wrong length for this vault');
  return { setId: m[1]!, bytes, x: bytes[bytes.length - 1]! };
}

/**
 * Collects shares one at a time (any order, from different people). Duplicates count once; two
 * different shares claiming the same x coordinate are refused. Nothing here can tell a good share
 * from a bad one: the caller verifies the combined key against the vault's verification blob.
 */
export class ShareCollector {
  private readonly byX = new Map<number, Buffer>();
  private setId: string | null = null;

  get count(): number {
    return this.byX.size;
  }

  /** Returns true when the share was new. */
  add(share: ParsedShare, currentSetId: string): boolean {
    if (share.setId !== currentSetId)
      throw new HelixError('conflict', `share: belongs to share set ${share.setId}, which was rotated out`, {
        field: 'share',
        current_set_id: currentSetId,
      });
    if (this.setId !== null && this.setId !== share.setId) this.clear();
    this.setId = share.setId;
    const existing = this.byX.get(share.x);
    if (existing) {
      if (existing.equals(share.bytes)) return false;
      throw invalid('share', 'a different share with the same index was already submitted');
    }
    this.byX.set(share.x, share.bytes);
    return true;
  }

  async combine(): Promise<Buffer> {
    const plain = [...this.byX.values()].map((b) => new Uint8Array(b));
    try {
      return Buffer.from(await combine(plain));
    } finally {
      for (const p of plain) p.fill(0);
    }
  }

  clear(): void {
    for (const b of this.byX.values()) b.fill(0);
    this.byX.clear();
    this.setId = null;
  }
}
