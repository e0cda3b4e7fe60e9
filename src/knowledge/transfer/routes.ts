import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { HelixError } from '../../core/errors.js';
import { authorize, canUseNamespace, type DomainRoutes, errorResponse } from '../../http/route.js';
import { authorizeOperation, nodeVisible, scopeFilter } from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';
import { Namespace } from '../nodes/schema.js';
import { exportLines } from './export.js';
import { importRecords } from './import.js';

const ImportSummarySchema = z.object({
  imported: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  relationships: z.object({
    imported: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
  failures: z.array(z.object({ line: z.number().int(), id: z.string().optional(), reason: z.string() })),
});

const IMPORT_BODY_LIMIT = 1024 * 1024 * 1024;

/**
 * A scoped key's export: only nodes inside its tags and kinds, and only edges whose two ends it
 * sees. Nodes precede relationships in the format, so the visible set is complete by then.
 */
function* scopedLines(lines: Iterable<string>, p: Principal): Generator<string> {
  const visible = new Set<string>();
  for (const line of lines) {
    const record = JSON.parse(line) as { type?: string; id?: string; from_node?: string; to_node?: string };
    if (record.type === 'node') {
      if (!nodeVisible(p, record as never)) continue;
      visible.add(record.id!);
    } else if (record.type === 'relationship') {
      if (!visible.has(record.from_node!) || !visible.has(record.to_node!)) continue;
    }
    yield line;
  }
}

export const transferRoutes: DomainRoutes = async (app, { ctx }) => {
  // JSON Lines arrive as a stream: the handler reads them line by line, never the whole body at once
  for (const type of ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines']) {
    app.addContentTypeParser(type, { bodyLimit: IMPORT_BODY_LIMIT }, (_req, payload, done) =>
      done(null, payload),
    );
  }

  app.get(
    '/api/v1/export',
    {
      schema: {
        tags: ['transfer'],
        summary: 'Every node (with its tags) and relationship as JSON Lines (docs/export-format.md)',
        querystring: z.object({ namespace: Namespace.optional() }).strict(),
        response: { 200: z.string().describe('application/x-ndjson'), 400: errorResponse },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'read');
      authorizeOperation(req.principal, 'export');
      const p = req.principal;
      let namespaces: string[] | undefined;
      if (req.query.namespace) {
        authorize(p, 'read', { namespace: req.query.namespace });
        namespaces = [req.query.namespace];
      } else if (!p.namespaces.includes('*')) namespaces = [...p.namespaces];
      const all = exportLines(ctx, namespaces ? { namespaces } : {});
      const lines = scopeFilter(p) ? scopedLines(all, p) : all;
      const stream = Readable.from(
        (function* () {
          for (const l of lines) yield `${l}\n`;
        })(),
      );
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="helix-export.jsonl"')
        .send(stream as never);
    },
  );

  app.post(
    '/api/v1/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['transfer'],
        summary:
          'Import JSON Lines in the export format (idempotent by id); send Content-Type: application/x-ndjson',
        querystring: z
          .object({ namespace: Namespace.optional().describe('put every node in this namespace') })
          .strict(),
        response: { 200: ImportSummarySchema, 400: errorResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'write', req.query.namespace ? { namespace: req.query.namespace } : {});
      authorizeOperation(req.principal, 'import');
      // an import carries arbitrary kinds and tags: a key limited to some may not import at all
      if (scopeFilter(req.principal))
        throw new HelixError('forbidden', 'a key limited to tags or kinds may not import');
      const body = req.body as unknown;
      if (!(body instanceof Readable)) {
        throw new HelixError(
          'unsupported_media_type',
          'content-type: send the export as application/x-ndjson',
        );
      }
      const p = req.principal;
      return importRecords(ctx, createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY }), {
        ...(req.query.namespace ? { namespace: req.query.namespace } : {}),
        allowNamespace: (ns) => canUseNamespace(p, ns) && (p.role === 'admin' || p.role === 'write'),
      });
    },
  );
};
