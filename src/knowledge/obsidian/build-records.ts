import { stableId } from '../../core/ids.js';
import type { ExportRecordInput } from '../transfer/format.js';
import type { RawLink } from './links.js';
import type { ParsedNote } from './parse-note.js';

export type NodeRecordInput = Extract<ExportRecordInput, { type: 'node' }>;
export type RelationshipRecordInput = Extract<ExportRecordInput, { type: 'relationship' }>;

/** The namespace a record without one lands in (format.ts); part of every id. */
export const DEFAULT_NAMESPACE = 'default';

// the same file in the same namespace always gets the same id: a re-import updates, never duplicates
export const noteId = (namespace: string, path: string) => stableId(`obsidian:${namespace}:${path}`);

/** An attachment shown in a note (`![[photo.png|200]]`); `path` is null when no such file exists. */
export interface Embed {
  target: string;
  path: string | null;
  /** `#page=3` of a PDF, `#outline` of an image, … */
  subpath?: string;
  /** the part after `|`: an image size or a caption */
  display?: string;
}

export const embedOf = (link: RawLink, path: string | null): Embed => {
  const sub = link.heading ?? (link.block ? `^${link.block}` : undefined);
  return {
    target: link.target,
    path,
    ...(sub ? { subpath: sub } : {}),
    ...(link.alias ? { display: link.alias } : {}),
  };
};

export interface NoteExtras {
  namespace?: string;
  embeds: Embed[];
  /** attachments linked without `!`, by vault path */
  attachmentLinks: string[];
  created_at?: string;
  updated_at?: string;
}

export function noteRecord(note: ParsedNote, extras: NoteExtras): NodeRecordInput {
  const obsidian: Record<string, unknown> = {
    path: note.path,
    folder: note.folder,
    frontmatter: note.frontmatter,
    aliases: note.aliases,
    embeds: extras.embeds,
    headings: note.headings,
  };
  if (extras.attachmentLinks.length > 0) obsidian.attachment_links = extras.attachmentLinks;
  if (note.invalidTags.length > 0) obsidian.invalid_tags = note.invalidTags;
  if (note.frontmatterError) obsidian.frontmatter_error = note.frontmatterError;
  return {
    type: 'node',
    id: noteId(extras.namespace ?? DEFAULT_NAMESPACE, note.path),
    kind: note.kind,
    title: note.title,
    content: note.content,
    source: `obsidian://${note.path}`,
    ...(extras.namespace ? { namespace: extras.namespace } : {}),
    // Helix keeps at most 256 tags on a node
    tags: note.tags.slice(0, 256),
    metadata: { obsidian },
    ...(extras.created_at ? { created_at: extras.created_at } : {}),
    ...(extras.updated_at ? { updated_at: extras.updated_at } : {}),
  };
}

/** What one link adds to its edge: where in the target it points, how it was shown, whether embedded. */
export interface EdgeLink {
  heading?: string;
  block?: string;
  alias?: string;
  embed?: true;
}

const edgeLinkOf = (link: RawLink): EdgeLink => ({
  ...(link.heading ? { heading: link.heading } : {}),
  ...(link.block ? { block: link.block } : {}),
  ...(link.alias ? { alias: link.alias } : {}),
  ...(link.embed ? { embed: true as const } : {}),
});

/**
 * Collects note-to-note links into `references` edges. Helix keeps one relationship per
 * (from, to, kind), so every link between the same two notes folds into one edge whose metadata
 * lists each distinct heading, block and alias.
 */
export class EdgeCollector {
  private readonly edges = new Map<string, { from: string; to: string; links: EdgeLink[]; count: number }>();

  add(fromId: string, toId: string, link: RawLink) {
    const k = `${fromId}>${toId}`;
    let edge = this.edges.get(k);
    if (!edge) {
      edge = { from: fromId, to: toId, links: [], count: 0 };
      this.edges.set(k, edge);
    }
    edge.count++;
    const one = edgeLinkOf(link);
    const text = JSON.stringify(one);
    if (!edge.links.some((l) => JSON.stringify(l) === text)) edge.links.push(one);
  }

  get size() {
    return this.edges.size;
  }

  *records(): Generator<RelationshipRecordInput> {
    for (const { from, to, links, count } of this.edges.values()) {
      const first = links[0] ?? {};
      const { embed: _embed, ...where } = first;
      yield {
        type: 'relationship',
        // from + to + kind, not the heading: the headings all live on this one edge
        id: stableId(`obsidian-link:${from}:${to}:references`),
        from_node: from,
        to_node: to,
        kind: 'references',
        metadata: {
          source: 'obsidian',
          ...where,
          ...(links.some((l) => l.embed) ? { embed: true } : {}),
          links,
          count,
        },
      };
    }
  }
}
