import type { ConfiguredProvider } from './catalog.js';

export type Reachability = 'ok' | 'unauthorized' | 'unreachable' | 'error' | 'unknown';

export interface ProbeResult {
  status: Reachability;
  checked_at: string;
  latency_ms: number | null;
}

/**
 * One cheap request per provider (its model listing), cached: enough to say "configured and
 * answering" without spending tokens. Providers without a listing we can call plainly say unknown.
 */
export class ReachabilityCache {
  private readonly cache = new Map<string, { at: number; result: Promise<ProbeResult> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly fetchImpl: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  probe(p: ConfiguredProvider): Promise<ProbeResult> {
    const hit = this.cache.get(p.spec.id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.result;
    const result = this.check(p);
    this.cache.set(p.spec.id, { at: Date.now(), result });
    return result;
  }

  private async check(p: ConfiguredProvider): Promise<ProbeResult> {
    const checked_at = new Date().toISOString();
    const key = Object.values(p.credentials)[0];
    let headers: Record<string, string>;
    if (p.spec.adapter === 'anthropic')
      headers = { 'x-api-key': key ?? '', 'anthropic-version': '2023-06-01' };
    else if (p.spec.adapter === 'google') headers = { 'x-goog-api-key': key ?? '' };
    else if (p.spec.adapter === 'bedrock' || !p.baseUrl)
      return { status: 'unknown', checked_at, latency_ms: null };
    else headers = key ? { authorization: `Bearer ${p.credentials.CLOUDFLARE_API_KEY ?? key}` } : {};
    const started = performance.now();
    try {
      const res = await this.fetchImpl(`${p.baseUrl}/models`, { headers, signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      const latency_ms = Math.round((performance.now() - started) * 10) / 10;
      const status: Reachability =
        res.status === 401 || res.status === 403 ? 'unauthorized' : res.status >= 500 ? 'error' : 'ok';
      return { status, checked_at, latency_ms };
    } catch {
      return { status: 'unreachable', checked_at, latency_ms: null };
    }
  }
}
