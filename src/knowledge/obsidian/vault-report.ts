import type { RawLink } from './links.js';
import type { Resolution } from './resolve-link.js';

export interface MissingLink {
  /** the linking note, vault-relative */
  from: string;
  /** the link path as written */
  target: string;
  embed?: true;
}

/** What the vault held and how its links resolved; the import summary says what the database did. */
export interface VaultReport {
  vault: string;
  namespace: string;
  notes: number;
  /** files in the vault that are not notes */
  attachments: number;
  links: {
    /** every internal link and embed */
    found: number;
    /** to a note, an attachment or a heading of the same note */
    resolved: number;
    missing: number;
    to_notes: number;
    to_attachments: number;
    same_note: number;
  };
  embeds: { found: number; notes: number; attachments: number; missing: number };
  /** distinct attachment files embedded or linked */
  attachments_used: number;
  /** note-to-note edges after folding several links between the same two notes */
  relationships: number;
  tags: number;
  /** distinct (from, target) pairs that point at nothing */
  missing_links_count: number;
  missing_links: MissingLink[];
  frontmatter_errors: { path: string; message: string }[];
  unreadable: { path: string; reason: string }[];
}

const LISTED = 1000;

/** Counts as the notes stream by; lists stop at LISTED entries so a huge vault stays small in memory. */
export class VaultTally {
  readonly report: VaultReport;
  private readonly missingSeen = new Set<string>();
  private readonly attachmentsSeen = new Set<string>();
  private readonly tagsSeen = new Set<string>();

  constructor(vault: string, namespace: string, notes: number, attachments: number) {
    this.report = {
      vault,
      namespace,
      notes,
      attachments,
      links: { found: 0, resolved: 0, missing: 0, to_notes: 0, to_attachments: 0, same_note: 0 },
      embeds: { found: 0, notes: 0, attachments: 0, missing: 0 },
      attachments_used: 0,
      relationships: 0,
      tags: 0,
      missing_links_count: 0,
      missing_links: [],
      frontmatter_errors: [],
      unreadable: [],
    };
  }

  link(from: string, link: RawLink, resolution: Resolution) {
    const { links, embeds } = this.report;
    links.found++;
    if (link.embed) embeds.found++;
    switch (resolution.type) {
      case 'missing': {
        links.missing++;
        if (link.embed) embeds.missing++;
        const k = `${from}\u0000${link.target.toLowerCase()}`;
        if (this.missingSeen.has(k)) return;
        this.missingSeen.add(k);
        this.report.missing_links_count++;
        if (this.report.missing_links.length < LISTED)
          this.report.missing_links.push({
            from,
            target: link.target,
            ...(link.embed ? { embed: true } : {}),
          });
        return;
      }
      case 'self':
        links.resolved++;
        links.same_note++;
        if (link.embed) embeds.notes++;
        return;
      case 'note':
        links.resolved++;
        links.to_notes++;
        if (link.embed) embeds.notes++;
        return;
      case 'attachment':
        links.resolved++;
        links.to_attachments++;
        if (link.embed) embeds.attachments++;
        this.attachmentsSeen.add(resolution.path);
        this.report.attachments_used = this.attachmentsSeen.size;
        return;
    }
  }

  tags(tags: readonly string[]) {
    for (const t of tags) this.tagsSeen.add(t.toLowerCase());
    this.report.tags = this.tagsSeen.size;
  }

  frontmatterError(path: string, message: string) {
    if (this.report.frontmatter_errors.length < LISTED)
      this.report.frontmatter_errors.push({ path, message });
  }

  unreadable(path: string, reason: string) {
    this.report.unreadable.push({ path, reason });
  }
}
