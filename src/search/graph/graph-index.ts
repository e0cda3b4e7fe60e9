import type { Database } from 'better-sqlite3';
import { MultiUndirectedGraph } from 'graphology';
import { bidirectional } from 'graphology-shortest-path/unweighted.js';
import type { EventBus } from '../../core/events.js';

interface EdgeAttributes {
  kind: string;
  weight: number;
  from: string;
}

type UndirectedGraph = MultiUndirectedGraph<Record<string, never>, EdgeAttributes>;

/**
 * The knowledge graph in memory (graphology), loaded once from SQLite and kept in step by the
 * event bus, so recall can expand along links without a query per hop. Links are walked in both
 * directions (a backlink is as good a hint as a link); each edge keeps its direction in `from`.
 */
export class GraphIndex {
  readonly graph: UndirectedGraph = new MultiUndirectedGraph({ allowSelfLoops: false });

  static load(db: Database, bus?: EventBus): GraphIndex {
    const index = new GraphIndex();
    const rows = db
      .prepare('SELECT id, from_node, to_node, kind, weight FROM relationships')
      .iterate() as IterableIterator<{
      id: string;
      from_node: string;
      to_node: string;
      kind: string;
      weight: number;
    }>;
    for (const r of rows) index.addEdge(r.id, r.from_node, r.to_node, r.kind, r.weight);
    if (bus) {
      bus.on('relationship.created', (e) => {
        const weight = (
          db.prepare('SELECT weight FROM relationships WHERE id = ?').get(e.id) as
            | { weight: number }
            | undefined
        )?.weight;
        index.addEdge(e.id, e.from_node, e.to_node, e.kind, weight ?? 1);
      });
      bus.on('relationship.deleted', (e) => index.removeEdge(e.id));
      bus.on('node.deleted', (e) => index.removeNode(e.id));
    }
    return index;
  }

  addEdge(id: string, from: string, to: string, kind: string, weight: number): void {
    if (from === to || this.graph.hasEdge(id)) return;
    this.graph.mergeNode(from);
    this.graph.mergeNode(to);
    this.graph.addEdgeWithKey(id, from, to, { kind, weight, from });
  }

  removeEdge(id: string): void {
    if (!this.graph.hasEdge(id)) return;
    const [a, b] = this.graph.extremities(id);
    this.graph.dropEdge(id);
    for (const n of [a, b]) if (this.graph.degree(n) === 0) this.graph.dropNode(n);
  }

  removeNode(id: string): void {
    if (this.graph.hasNode(id)) this.graph.dropNode(id);
  }

  /** Nodes within `depth` hops, with their hop count (the start node excluded). */
  within(start: string, depth: number, kinds?: ReadonlySet<string>): Map<string, number> {
    const found = new Map<string, number>();
    if (!this.graph.hasNode(start)) return found;
    let frontier = [start];
    const seen = new Set(frontier);
    for (let d = 1; d <= depth && frontier.length; d++) {
      const next: string[] = [];
      for (const node of frontier) {
        this.graph.forEachEdge(node, (_edge, attrs, source, target) => {
          if (kinds && !kinds.has(attrs.kind)) return;
          const other = source === node ? target : source;
          if (seen.has(other)) return;
          seen.add(other);
          found.set(other, d);
          next.push(other);
        });
      }
      frontier = next;
    }
    return found;
  }

  /** The shortest chain of links between two nodes (either direction), or null. */
  path(from: string, to: string): string[] | null {
    if (!this.graph.hasNode(from) || !this.graph.hasNode(to)) return null;
    return bidirectional(this.graph, from, to);
  }

  get edgeCount(): number {
    return this.graph.size;
  }
}

const cache = new WeakMap<Database, GraphIndex>();

/** The graph of a database, loaded on first use and then maintained by the bus. */
export function graphIndexFor(db: Database, bus: EventBus): GraphIndex {
  let index = cache.get(db);
  if (!index) {
    index = GraphIndex.load(db, bus);
    cache.set(db, index);
  }
  return index;
}
