import type { ChatMessage, LlmRouter, StreamHandle } from './router.js';

export interface ChatSource {
  id: string;
  title: string;
  kind: string;
  snippet: string;
  score?: number;
}

/** Where chat finds context and keeps conversations: the core, through its HTTP API. */
export interface Retriever {
  recall(text: string, limit: number): Promise<{ sources: ChatSource[]; notices: string[] }>;
  saveConversation(input: {
    id?: string;
    title: string;
    content: string;
    metadata: Record<string, unknown>;
  }): Promise<{ id: string }>;
}

export interface ChatTurn {
  question: string;
  answer: string;
  sources: ChatSource[];
  model?: string;
}

export interface AskResult {
  sources: ChatSource[];
  /** said to the user before the answer (e.g. retrieval unavailable) */
  notice?: string;
  stream: StreamHandle;
}

const SYSTEM = `You are Helix, an assistant grounded in the user's own notes.
Answer from the numbered sources when they are relevant and cite them as [1], [2].
If the sources do not cover the question, say so briefly and answer from general knowledge.`;

export function sourcesBlock(sources: ChatSource[]): string {
  return sources.map((s, i) => `[${i + 1}] ${s.title} (${s.id})\n${s.snippet}`).join('\n\n');
}

/** The citation lines printed under an answer: the sources it cited, or all it was given. */
export function citations(answer: string, sources: ChatSource[]): string[] {
  const cited = sources.filter((_, i) => answer.includes(`[${i + 1}]`));
  const shown = cited.length > 0 ? cited : sources;
  return shown.map((s) => `[${sources.indexOf(s) + 1}] ${s.title} (${s.id})`);
}

/** One conversation: history, retrieval per question, streaming answers through the router. */
export class ChatSession {
  readonly turns: ChatTurn[] = [];
  model: string;
  nodeId: string | undefined;

  constructor(
    private readonly router: LlmRouter,
    private readonly retriever: Retriever | undefined,
    options: { model?: string; maxSources?: number } = {},
  ) {
    this.model = options.model ?? 'auto';
    this.maxSources = options.maxSources ?? 5;
  }

  private readonly maxSources: number;

  async ask(question: string, signal?: AbortSignal): Promise<AskResult> {
    let sources: ChatSource[] = [];
    let notice: string | undefined;
    if (this.retriever) {
      try {
        sources = (await this.retriever.recall(question, this.maxSources)).sources;
      } catch {
        notice = 'the knowledge base is unreachable: answering without retrieval';
      }
    } else notice = 'no knowledge base connected: answering without retrieval';
    const history: ChatMessage[] = this.turns.flatMap((t) => [
      { role: 'user' as const, content: t.question },
      { role: 'assistant' as const, content: t.answer },
    ]);
    const system = sources.length
      ? `${SYSTEM}\n\nSources:\n${sourcesBlock(sources)}`
      : `${SYSTEM}\n\nNo sources were found for this question.`;
    const stream = await this.router.stream({
      messages: [{ role: 'system', content: system }, ...history, { role: 'user', content: question }],
      model: this.model,
      task: 'chat',
      ...(signal ? { signal } : {}),
    });
    return { sources, ...(notice ? { notice } : {}), stream };
  }

  record(turn: ChatTurn): void {
    this.turns.push(turn);
  }

  clear(): void {
    this.turns.length = 0;
    this.nodeId = undefined;
  }

  /** The conversation as markdown, with each answer's citations. */
  transcript(): string {
    return this.turns
      .map((t) => {
        const cites = citations(t.answer, t.sources);
        return `**You:** ${t.question}\n\n**Helix${t.model ? ` (${t.model})` : ''}:** ${t.answer}${
          cites.length ? `\n\n${cites.map((c) => `- ${c}`).join('\n')}` : ''
        }`;
      })
      .join('\n\n---\n\n');
  }

  async save(): Promise<{ id: string }> {
    if (!this.retriever) throw new Error('no knowledge base connected');
    const first = this.turns[0]?.question ?? 'Conversation';
    const saved = await this.retriever.saveConversation({
      ...(this.nodeId ? { id: this.nodeId } : {}),
      title: `Chat: ${first.slice(0, 80)}`,
      content: this.transcript(),
      metadata: {
        turns: this.turns.length,
        cited: [...new Set(this.turns.flatMap((t) => t.sources.map((s) => s.id)))],
      },
    });
    this.nodeId = saved.id;
    return saved;
  }
}
