import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { NodeRow } from '../knowledge/nodes/store.js';
import { knowledgeStores } from '../knowledge/stores.js';
import { recall } from '../search/recall/service.js';
import { clip, oneLine, titleOf } from './format.js';
import { orRpcError } from './rpc-error.js';
import { type McpDeps, readNamespace, visible } from './scope.js';

const user = (text: string) => ({
  messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }],
});

export function registerPrompts(server: McpServer, deps: McpDeps): void {
  const { ctx, principal: p } = deps;
  const budget = deps.maxTokens * 4;

  server.registerPrompt(
    'summarize_topic',
    {
      title: 'Summarise a topic from my notes',
      description: 'Recalls the notes most relevant to a topic and asks for a summary with sources',
      argsSchema: {
        topic: z.string().min(1).max(500).describe('what to summarise'),
        namespace: z.string().max(64).optional().describe('namespace to draw from'),
      },
    },
    ({ topic, namespace }) =>
      orRpcError(ctx.logger, async () => {
        const ns = readNamespace(p, namespace);
        if (deps.search.state === 'stopped') void deps.search.start();
        const res = await recall(
          ctx,
          { text: topic, limit: 20, ...(ns ? { namespace: ns } : {}) },
          deps.search.vectors(),
        );
        const notes: string[] = [];
        let used = 0;
        for (const r of res.results) {
          if (!visible(p, r.node) || notes.length >= 8) continue;
          const block = `### ${titleOf(r.node)} (id ${r.node.id})\n${clip(r.node.content.trim(), 700)}`;
          if (used + block.length > budget && notes.length > 0) break;
          notes.push(block);
          used += block.length;
        }
        const body = notes.length ? notes.join('\n\n') : '(no notes found on this topic)';
        return user(
          `Summarise what my notes say about "${topic}". Cite each point with the note id in brackets, ` +
            `point out contradictions or gaps, and end with open questions.\n\nNotes:\n\n${body}`,
        );
      }),
  );

  server.registerPrompt(
    'daily_review',
    {
      title: 'Daily review',
      description: 'What changed in the last 24 hours and which tasks are open, as a review prompt',
      argsSchema: { namespace: z.string().max(64).optional().describe('namespace to review') },
    },
    ({ namespace }) =>
      orRpcError(ctx.logger, () => {
        const ns = readNamespace(p, namespace);
        const since = new Date(ctx.clock.now().getTime() - 24 * 3600 * 1000).toISOString();
        const pick = (sql: string, params: unknown[]) =>
          knowledgeStores(ctx.db)
            .nodes.hydrate(ctx.db.prepare(sql).all(...params) as NodeRow[])
            .filter((n) => visible(p, n));
        const nsSql = ns ? 'AND namespace = ?' : '';
        const nsParams = ns ? [ns] : [];
        const changed = pick(
          `SELECT * FROM nodes WHERE updated_at >= ? AND kind <> 'proposal' ${nsSql} ORDER BY updated_at DESC LIMIT 60`,
          [since, ...nsParams],
        ).slice(0, 30);
        // sealed rows (encryption at rest) hide their metadata from SQL: status is checked once opened
        const closed = (n: { metadata: Record<string, unknown> }) =>
          ['done', 'cancelled'].includes(String(n.metadata.task_status ?? 'todo'));
        const open = pick(
          `SELECT * FROM nodes WHERE kind = 'task' AND (sealed_key IS NOT NULL OR coalesce(json_extract(metadata, '$.task_status'), 'todo')
             NOT IN ('done', 'cancelled')) ${nsSql} ORDER BY importance DESC, updated_at DESC LIMIT 40`,
          nsParams,
        )
          .filter((n) => !closed(n))
          .slice(0, 15);
        const line = (n: (typeof changed)[number]) =>
          `- ${titleOf(n)} [${n.kind}] (id ${n.id}): ${clip(oneLine(n.content), 160)}`;
        const text = [
          `Help me review my day. Since ${since}:`,
          '',
          '## Changed',
          ...(changed.length ? changed.map(line) : ['(nothing)']),
          '',
          '## Open tasks',
          ...(open.length ? open.map(line) : ['(none)']),
          '',
          'Summarise what got done, what is still open, and suggest the three most useful next steps.',
        ].join('\n');
        return user(clip(text, budget));
      }),
  );
}
