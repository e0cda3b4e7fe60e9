import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';

/** `hx chat`: a REPL that streams answers grounded in the knowledge base, with citations. */
export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('chat')
    .description('chat with an LLM over your notes: streamed answers, cited sources (/help inside)')
    .option('--model <ref>', 'provider/model, or auto (default: routed by task, cost and health)')
    .action(async (o: { model?: string }) => (await import('./chat-repl.js')).runChat(globals(), o));
}
