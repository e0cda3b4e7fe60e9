import type { Command } from 'commander';
import { type ErrorCode, errorCatalogue, HelixError } from '../../core/errors.js';
import type { Proposal } from '../../knowledge/proposals/schema.js';
import type { GlobalOptions } from '../load.js';
import { printResult, table } from '../output.js';

type Decision = 'approve' | 'reject' | 'undo';
interface Ops {
  list(filter: { status?: string; namespace?: string; limit: number }): Promise<{ items: Proposal[] }>;
  decide(id: string, decision: Decision, note?: string): Promise<Proposal>;
  close(): Promise<void>;
}

async function remote(server: string, token: string | undefined): Promise<Ops> {
  const base = server.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    if (!res.ok) {
      const code = (json.error?.code ?? 'internal_error') as ErrorCode;
      throw new HelixError(
        code in errorCatalogue ? code : 'internal_error',
        json.error?.message ?? `HTTP ${res.status}`,
      );
    }
    return json as T;
  };
  return {
    list: (f) => {
      const q = new URLSearchParams({ limit: String(f.limit) });
      if (f.status) q.set('status', f.status);
      if (f.namespace) q.set('namespace', f.namespace);
      return call('GET', `/api/v1/exchange/proposals?${q}`);
    },
    decide: (id, decision, note) =>
      call('POST', `/api/v1/exchange/proposals/${encodeURIComponent(id)}/${decision}`, note ? { note } : {}),
    close: async () => {},
  };
}

async function local(opts: GlobalOptions): Promise<Ops> {
  const { openLocal } = await import('../session.js');
  const { validate } = await import('../../core/validate.js');
  const { ListProposalsQuery } = await import('../../knowledge/proposals/schema.js');
  const svc = await import('../../knowledge/proposals/service.js');
  const { localAdmin } = await import('../../security/principal.js');
  const app = openLocal(opts);
  const { unlockForNodes } = await import('../../vault/cli/unlock.js');
  await unlockForNodes(app);
  const fns = { approve: svc.approveProposal, reject: svc.rejectProposal, undo: svc.undoProposal };
  return {
    list: async (f) => svc.listProposals(app.ctx, localAdmin, validate(ListProposalsQuery, f)),
    decide: async (id, decision, note) =>
      fns[decision](app.ctx, localAdmin, id, { ...(note ? { note } : {}), requestId: `cli-${process.pid}` }),
    close: () => app.shutdown(),
  };
}

async function withOps<T>(opts: GlobalOptions, fn: (ops: Ops) => Promise<T>): Promise<T> {
  const server = opts.server ?? process.env.HELIX_SERVER_URL;
  const ops = server ? await remote(server, opts.token ?? process.env.HELIX_AUTH_TOKEN) : await local(opts);
  try {
    return await fn(ops);
  } finally {
    await ops.close();
  }
}

const line = (p: Proposal) => [
  p.id,
  p.status,
  p.action,
  p.namespace,
  `${p.proposed_by} (${p.confidence.toFixed(2)})`,
  p.action === 'create'
    ? String(
        (p.payload as { title?: string; content?: string }).title ??
          (p.payload as { content?: string }).content ??
          '',
      ).slice(0, 50)
    : `${p.target_node_id}${p.action === 'tag' ? ` #${(p.payload as { tag?: string }).tag}` : ''}`,
];

export function register(program: Command, globals: () => GlobalOptions) {
  const cmd = program
    .command('proposals')
    .description('changes agents proposed (view/edit-tier keys): review and decide');
  cmd
    .command('list')
    .description('list proposals, newest first')
    .option('--status <status>', 'pending (default), approved, rejected, undone or all', 'pending')
    .option('--namespace <ns>')
    .option('--limit <n>', 'how many', Number, 50)
    .action(async (o: { status: string; namespace?: string; limit: number }) => {
      const res = await withOps(globals(), (ops) =>
        ops.list({
          ...(o.status !== 'all' ? { status: o.status } : {}),
          ...(o.namespace ? { namespace: o.namespace } : {}),
          limit: o.limit,
        }),
      );
      printResult(globals(), res, () =>
        res.items.length
          ? table([
              ['id', 'status', 'action', 'namespace', 'by (confidence)', 'what'],
              ...res.items.map(line),
            ])
          : 'no proposals',
      );
    });
  for (const [decision, text] of [
    ['approve', 'approve proposals: their changes are applied'],
    ['reject', 'reject proposals'],
    ['undo', 'undo approved proposals: their changes are reverted'],
  ] as const) {
    cmd
      .command(decision)
      .description(text)
      .argument('<ids...>')
      .option('--note <text>', 'why (kept with the decision)')
      .action(async (ids: string[], o: { note?: string }) => {
        const done = await withOps(globals(), async (ops) => {
          const out: Proposal[] = [];
          for (const id of ids) out.push(await ops.decide(id, decision, o.note));
          return out;
        });
        printResult(globals(), done, () => done.map((p) => `${p.id}: ${p.status}`).join('\n'));
      });
  }
}
