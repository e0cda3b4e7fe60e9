/**
 * The load generator of bench/get-node.ts, run in its own process so the client does not share an
 * event loop (or a core) with the bench that watches it: autocannon with a fixed number of
 * keep-alive connections, each request a random path from a list. Prints one JSON line.
 *
 *   node --import tsx bench/support/load-client.ts '{"url":…,"pathsFile":…,"connections":10,"seconds":10}'
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { seededRandom } from './random.js';
import { summarize } from './report.js';

export interface LoadSpec {
  url: string;
  /** JSON array of request paths; each request picks one at random */
  pathsFile: string;
  connections: number;
  seconds: number;
  seed?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** our own percentiles, from each response's time in ms (autocannon's histogram rounds to 1 ms) */
  latency: { p50: number; p90: number; p99: number; mean: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const paths = JSON.parse(readFileSync(spec.pathsFile, 'utf8')) as string[];
  const rand = seededRandom(spec.seed ?? 7);
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: paths[Math.floor(rand() * paths.length)]! }),
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const s = summarize(times);
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = (v as { count: number }).count;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    latency: { p50: s.p50, p90: s.p90, p99: s.p99, mean: s.mean, max: s.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
process.stdout.write(`${JSON.stringify(await run(spec))}\n`);
