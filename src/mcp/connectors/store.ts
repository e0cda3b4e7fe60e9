import type { Context } from '../../core/context.js';
import { HelixError, notFound } from '../../core/errors.js';
import type { Connector, ConnectorInput } from './schema.js';

interface Row {
  id: string;
  name: string;
  transport: 'stdio' | 'http';
  command: string | null;
  args: string;
  env: string;
  secret_env: string;
  url: string | null;
  bearer_secret: string | null;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export type StoredConnector = Omit<Connector, 'breaker'>;

const fromRow = (r: Row): StoredConnector => ({
  id: r.id,
  name: r.name,
  transport: r.transport,
  command: r.command,
  args: JSON.parse(r.args) as string[],
  env: JSON.parse(r.env) as Record<string, string>,
  secret_env: JSON.parse(r.secret_env) as Record<string, string>,
  url: r.url,
  bearer_secret: r.bearer_secret,
  enabled: r.enabled === 1,
  origin: 'api',
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const toRow = (id: string, input: ConnectorInput, created_at: string, updated_at: string): Row => ({
  id,
  name: input.name,
  transport: input.transport,
  command: input.transport === 'stdio' ? input.command : null,
  args: JSON.stringify(input.transport === 'stdio' ? input.args : []),
  env: JSON.stringify(input.transport === 'stdio' ? input.env : {}),
  secret_env: JSON.stringify(input.transport === 'stdio' ? input.secret_env : {}),
  url: input.transport === 'http' ? input.url : null,
  bearer_secret: input.transport === 'http' ? (input.bearer_secret ?? null) : null,
  enabled: input.enabled ? 1 : 0,
  created_at,
  updated_at,
});

/**
 * `[mcp] servers` entries: "name=command arg…" (stdio) or "name=https://…" (HTTP). They are
 * listed with the stored ones (id `config:name`) but can only be changed in the config file.
 */
export function configConnectors(ctx: Context): StoredConnector[] {
  return ctx.config.mcp.servers.flatMap((entry) => {
    const eq = entry.indexOf('=');
    if (eq < 1) return [];
    const name = entry.slice(0, eq).trim();
    const spec = entry.slice(eq + 1).trim();
    const http = /^https?:\/\//i.test(spec);
    const [command = '', ...args] = http ? [] : spec.split(/\s+/).filter(Boolean);
    return [
      {
        id: `config:${name}`,
        name,
        transport: http ? 'http' : 'stdio',
        command: http ? null : command,
        args,
        env: {},
        secret_env: {},
        url: http ? spec : null,
        bearer_secret: null,
        enabled: true,
        origin: 'config' as const,
        created_at: null,
        updated_at: null,
      },
    ];
  });
}

export function listConnectors(ctx: Context): StoredConnector[] {
  const rows = ctx.db.prepare('SELECT * FROM mcp_connectors ORDER BY name').all() as Row[];
  return [...configConnectors(ctx), ...rows.map(fromRow)];
}

export function getConnector(ctx: Context, id: string): StoredConnector {
  const found = id.startsWith('config:')
    ? configConnectors(ctx).find((c) => c.id === id)
    : (() => {
        const row = ctx.db.prepare('SELECT * FROM mcp_connectors WHERE id = ?').get(id) as Row | undefined;
        return row ? fromRow(row) : undefined;
      })();
  if (!found) throw notFound('connector', id);
  return found;
}

function assertFreeName(ctx: Context, name: string, self?: string) {
  const taken =
    configConnectors(ctx).some((c) => c.name === name) ||
    !!ctx.db.prepare('SELECT 1 FROM mcp_connectors WHERE name = ? AND id IS NOT ?').get(name, self ?? null);
  if (taken) throw new HelixError('conflict', `a connector named ${name} already exists`, { field: 'name' });
}

export function createConnector(ctx: Context, input: ConnectorInput): StoredConnector {
  assertFreeName(ctx, input.name);
  const now = ctx.clock.now().toISOString();
  const row = toRow(ctx.ids.next(), input, now, now);
  ctx.db
    .prepare(
      `INSERT INTO mcp_connectors (id, name, transport, command, args, env, secret_env, url, bearer_secret, enabled, created_at, updated_at)
       VALUES (@id, @name, @transport, @command, @args, @env, @secret_env, @url, @bearer_secret, @enabled, @created_at, @updated_at)`,
    )
    .run(row);
  return fromRow(row);
}

function assertStored(id: string) {
  if (id.startsWith('config:'))
    throw new HelixError(
      'conflict',
      'this connector comes from [mcp] servers in the config file: change it there',
      {
        id,
      },
    );
}

export function replaceConnector(ctx: Context, id: string, input: ConnectorInput): StoredConnector {
  assertStored(id);
  const current = getConnector(ctx, id);
  assertFreeName(ctx, input.name, id);
  const row = toRow(id, input, current.created_at!, ctx.clock.now().toISOString());
  ctx.db
    .prepare(
      `UPDATE mcp_connectors SET name = @name, transport = @transport, command = @command, args = @args, env = @env,
       secret_env = @secret_env, url = @url, bearer_secret = @bearer_secret, enabled = @enabled, updated_at = @updated_at
       WHERE id = @id`,
    )
    .run(row);
  return fromRow(row);
}

export function deleteConnector(ctx: Context, id: string): void {
  assertStored(id);
  const r = ctx.db.prepare('DELETE FROM mcp_connectors WHERE id = ?').run(id);
  if (r.changes === 0) throw notFound('connector', id);
}
