import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Connection, connect } from '@lancedb/lancedb';
import { type HelixError, invalid } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { vectorDimensions, vectorSchema } from './arrow.js';
import { toVectorStoreError, VectorStoreUnavailable } from './errors.js';
import { SPACE_DIMS_KEY, SPACE_ID_KEY, tableNameFor, type VectorSpace } from './space.js';
import { VectorTable } from './vector-table.js';

export interface SpaceInfo {
  table: string;
  /** from the table's schema metadata; undefined when the table cannot be read */
  id?: string;
  dimensions?: number;
  rows?: number;
  /** why the table cannot be read: rebuild it */
  error?: string;
}

/**
 * manifestEnabled false: the folder listing is the truth about which tables exist, so a table
 * folder deleted by hand (or the whole folder) is simply absent instead of a dangling manifest
 * entry that fails every later create. readConsistencyInterval: writes by another process (a CLI
 * reindex) become visible here within that many seconds, at the cost of one manifest check then.
 */
const connectOptions = (readConsistencySeconds: number) => ({
  manifestEnabled: false,
  readConsistencyInterval: readConsistencySeconds,
});

async function connectAt(path: string, readConsistencySeconds: number): Promise<Connection> {
  try {
    mkdirSync(path, { recursive: true });
    const conn = await connect(path, connectOptions(readConsistencySeconds));
    await conn.tableNames(); // connect is lazy: make it touch the folder now
    return conn;
  } catch (err) {
    throw toVectorStoreError(err, 'open', { path });
  }
}

/**
 * Opens (creating when absent) the LanceDB folder. Throws VectorStoreUnavailable when the folder
 * cannot be used at all; a broken table only fails when it is used (`tableFor`, `search`) or
 * listed (`listSpaces`), so the other spaces keep working.
 */
export async function openVectorStore(
  path: string,
  logger: Logger,
  options: { readConsistencySeconds?: number } = {},
): Promise<VectorStore> {
  const created = !existsSync(path);
  const seconds = options.readConsistencySeconds ?? 5;
  const conn = await connectAt(path, seconds);
  if (created) logger.info({ path }, 'vector store created (empty)');
  return new VectorStore(path, conn, logger, created, seconds);
}

/** One LanceDB folder holding one table per embedding space. */
export class VectorStore {
  private handles = new Map<string, Promise<VectorTable>>();
  /** failures already logged, so a broken table warns once, not once per query */
  private warned = new Set<string>();

  constructor(
    readonly path: string,
    private conn: Connection,
    private readonly logger: Logger,
    /** the folder did not exist: any vectors the database expects must be re-embedded */
    readonly created: boolean,
    private readonly readConsistencySeconds: number,
  ) {}

  /** The space's table, created empty on first use. Handles are cached until a failure. */
  tableFor(space: VectorSpace): Promise<VectorTable> {
    const name = tableNameFor(space);
    let handle = this.handles.get(name);
    if (!handle) {
      handle = this.openTable(space, name);
      handle.catch(() => this.handles.delete(name));
      this.handles.set(name, handle);
    }
    return handle;
  }

  async listSpaces(): Promise<SpaceInfo[]> {
    const names = await this.run('list', () => this.conn.tableNames());
    const out: SpaceInfo[] = [];
    for (const table of names) {
      try {
        const t = await this.conn.openTable(table);
        const schema = await t.schema();
        const dims = Number(schema.metadata.get(SPACE_DIMS_KEY) ?? vectorDimensions(schema));
        out.push({
          table,
          id: schema.metadata.get(SPACE_ID_KEY),
          dimensions: dims,
          rows: await t.countRows(),
        });
        t.close();
      } catch (err) {
        out.push({ table, error: toVectorStoreError(err, 'list', { table }).message });
      }
    }
    return out;
  }

  /** Removes a space's vectors (after a model switch completes, or before a rebuild). */
  async drop(space: VectorSpace): Promise<void> {
    await this.dropByName(tableNameFor(space));
  }

  /** Drops the space's table, broken or not, and recreates it empty for a reindex to refill. */
  async rebuild(space: VectorSpace): Promise<VectorTable> {
    await this.dropByName(tableNameFor(space));
    this.logger.warn({ space: space.id }, 'vector table rebuilt empty: re-embed to refill it');
    return this.tableFor(space);
  }

  /** Last resort for a folder LanceDB cannot list: delete it all and start empty. */
  async rebuildAll(): Promise<void> {
    this.forgetAll();
    this.conn.close();
    rmSync(this.path, { recursive: true, force: true });
    this.conn = await connectAt(this.path, this.readConsistencySeconds);
    this.logger.warn({ path: this.path }, 'vector store rebuilt empty: re-embed to refill it');
  }

  close(): void {
    this.forgetAll();
    this.conn.close();
  }

  private async openTable(space: VectorSpace, name: string): Promise<VectorTable> {
    if (!Number.isInteger(space.dimensions) || space.dimensions < 1) {
      throw invalid('dimensions', `must be a positive integer, got ${space.dimensions} for ${space.id}`);
    }
    const schema = vectorSchema(
      space.dimensions,
      new Map([
        [SPACE_ID_KEY, space.id],
        [SPACE_DIMS_KEY, String(space.dimensions)],
      ]),
    );
    const lance = await this.run(
      'open',
      async () => {
        const exists = (await this.conn.tableNames()).includes(name);
        return exists
          ? this.conn.openTable(name)
          : this.conn.createEmptyTable(name, schema, { mode: 'create', existOk: true });
      },
      { space: space.id, table: name },
    );
    const actual = await this.run('open', () => lance.schema(), { space: space.id, table: name });
    if (vectorDimensions(actual) !== space.dimensions) {
      lance.close();
      throw this.failed(
        new VectorStoreUnavailable(
          'corrupt',
          `vector table ${name} does not hold ${space.dimensions}-d vectors`,
          {
            space: space.id,
            table: name,
          },
        ),
      );
    }
    return new VectorTable(
      space,
      name,
      lance,
      schema,
      (err) => this.failed(err, name),
      join(this.path, `${name}.lance`, '_versions'),
      this.readConsistencySeconds * 1000,
    );
  }

  private async dropByName(name: string): Promise<void> {
    const handle = this.handles.get(name);
    this.handles.delete(name);
    await handle?.then((t) => t.lance.close()).catch(() => undefined);
    try {
      if ((await this.conn.tableNames()).includes(name)) await this.conn.dropTable(name);
    } catch (err) {
      // LanceDB cannot drop what it cannot read in every case: the folder is the table
      this.logger.warn({ table: name, err: (err as Error).message }, 'dropTable failed; removing its folder');
    }
    rmSync(join(this.path, `${name}.lance`), { recursive: true, force: true });
    this.warned.clear();
  }

  private async run<T>(op: string, fn: () => Promise<T>, details: Record<string, unknown> = {}): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.failed(toVectorStoreError(err, op, { path: this.path, ...details }));
    }
  }

  /** Logs once per distinct failure and forgets the handle so the next call reopens it. */
  private failed(err: HelixError, table?: string): HelixError {
    if (table) this.handles.delete(table);
    if (!this.warned.has(err.message)) {
      this.warned.add(err.message);
      this.logger.warn(
        { err: err.message, details: err.details },
        'vector store unavailable: full text only',
      );
    }
    return err;
  }

  private forgetAll(): void {
    for (const h of this.handles.values()) h.then((t) => t.lance.close()).catch(() => undefined);
    this.handles.clear();
    this.warned.clear();
  }
}
