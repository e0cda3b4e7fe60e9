import { createInterface } from 'node:readline';
import { envKeys } from '../../ai/catalog.js';
import { ChatSession, citations } from '../../ai/chat.js';
import { createAiServices } from '../../ai/service.js';
import { systemClock } from '../../core/clock.js';
import { withDotEnv } from '../../core/config/env.js';
import { createApp } from '../../api/create-app.js';
import { providerSpecs } from '../../ai/providers.js';
import { cliActor } from '../../vault/keychain-audit.js';
import { keysWaitOnVault, secretKeys } from '../../vault/secrets/provider-keys.js';
import { Secrets } from '../../vault/secrets/service.js';
import { liveServer } from '../../storage/pid-file.js';
import { CoreBridge } from '../../worker/core-bridge.js';
import { type GlobalOptions, loadFor } from '../load.js';

const HELP = `Commands:
  /help              this help
  /model [ref]       show or set the model (provider/model, or auto)
  /search <query>    search your notes (works without an LLM)
  /save              store this conversation as a conversation node
  /clear             start a new conversation
  /exit              leave (Ctrl-D too); Ctrl-C stops a reply without leaving`;

const NO_PROVIDER = `No LLM provider is configured. Set a key in the environment (or .env), e.g.
  OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY, MISTRAL_API_KEY, OPENROUTER_API_KEY, …
or point Helix at a local Ollama: hx config set worker.base_urls '["ollama=http://localhost:11434/v1"]'
Until then /search still works.`;

const dim = (s: string, tty: boolean) => (tty ? `\x1b[2m${s}\x1b[22m` : s);

export async function runChat(globals: GlobalOptions, o: { model?: string }): Promise<void> {
  const loaded = loadFor(globals);
  const { config, paths } = loaded;
  const app = createApp(loaded);
  const { db } = app.ctx;
  const ai = createAiServices({
    config,
    db,
    clock: systemClock,
    resolveKey: await providerKeys(app, envKeys(withDotEnv(process.env, [process.cwd(), paths.home]))),
  });
  const coreUrl = globals.server ?? liveServer(paths.pidFile)?.url ?? config.worker.core_url;
  const token = globals.token ?? (config.auth.token || undefined);
  const bridge = new CoreBridge({
    baseUrl: coreUrl,
    timeoutMs: config.worker.core_timeout_ms,
    retries: 1,
    breakerThreshold: 3,
    ...(token ? { token } : {}),
  });
  const session = new ChatSession(ai.router, bridge, { ...(o.model ? { model: o.model } : {}) });
  const out = process.stdout;
  const tty = out.isTTY === true;
  const say = (s: string) => out.write(`${s}\n`);

  const core = await bridge.health();
  const configured = ai.router.catalog.providers.length > 0;
  say(
    `Helix chat · model ${session.model} · notes at ${coreUrl}${core.status === 'ok' ? '' : ' (unreachable)'} · /help`,
  );
  if (core.status !== 'ok')
    say(dim('The knowledge base is unreachable: answers come without retrieval.', tty));
  if (!configured) say(NO_PROVIDER);

  const rl = createInterface({ input: process.stdin, output: out, prompt: 'you> ', terminal: tty });
  let reply: AbortController | undefined;
  let savedTurns = 0;
  rl.on('SIGINT', () => {
    if (reply) reply.abort();
    else {
      rl.write(null, { ctrl: true, name: 'u' });
      say('\n(Ctrl-C stops a reply; /exit or Ctrl-D leaves)');
      rl.prompt();
    }
  });

  async function ask(question: string) {
    if (!configured) {
      say(NO_PROVIDER);
      return;
    }
    reply = new AbortController();
    let text = '';
    try {
      const r = await session.ask(question, reply.signal);
      if (r.notice) say(dim(`(${r.notice})`, tty));
      out.write(`helix (${r.stream.provider}/${r.stream.model})> `);
      for await (const e of r.stream.events) {
        if (e.type === 'delta') {
          text += e.text;
          out.write(e.text);
        } else if (e.type === 'done') {
          out.write('\n');
          const cites = citations(text, r.sources);
          if (cites.length) say(`Sources:\n${cites.map((c) => `  ${c}`).join('\n')}`);
          say(
            dim(
              `(${e.result.usage.input_tokens}+${e.result.usage.output_tokens} tokens · $${e.result.cost_usd.toFixed(6)})`,
              tty,
            ),
          );
        } else {
          say(e.code === 'aborted' ? '\n[stopped]' : `\n[${e.message}]`);
        }
      }
      session.record({
        question,
        answer: text,
        sources: r.sources,
        model: `${r.stream.provider}/${r.stream.model}`,
      });
    } catch (err) {
      say(reply.signal.aborted ? '[stopped]' : `error: ${(err as Error).message}`);
    } finally {
      reply = undefined;
    }
  }

  async function command(line: string) {
    const [cmd, ...rest] = line.split(/\s+/);
    const arg = rest.join(' ').trim();
    switch (cmd) {
      case '/help':
        return say(HELP);
      case '/model':
        if (!arg) return say(`model: ${session.model}`);
        try {
          ai.router.plan({ messages: [], model: arg });
          session.model = arg;
          return say(`model set to ${arg}`);
        } catch (err) {
          return say(`error: ${(err as Error).message}`);
        }
      case '/clear':
        session.clear();
        savedTurns = 0;
        return say('conversation cleared');
      case '/save':
        if (session.turns.length === 0) return say('nothing to save yet');
        try {
          const { id } = await session.save();
          savedTurns = session.turns.length;
          return say(`saved as conversation ${id}`);
        } catch (err) {
          return say(`error: ${(err as Error).message}`);
        }
      case '/search':
        if (!arg) return say('usage: /search <query>');
        try {
          const { sources } = await bridge.recall(arg, 10);
          if (sources.length === 0) return say('no matches');
          return say(sources.map((s, i) => `[${i + 1}] ${s.title} (${s.id})`).join('\n'));
        } catch (err) {
          return say(`error: ${(err as Error).message}`);
        }
      default:
        return say(`unknown command ${cmd}: /help lists them`);
    }
  }

  // lines are handled one at a time, in order, even when typed while a reply streams
  let queue = Promise.resolve();
  let closed = false;
  rl.on('line', (raw) => {
    const line = raw.trim();
    queue = queue.then(async () => {
      if (closed) return;
      if (line === '/exit' || line === '/quit') return rl.close();
      if (line.startsWith('/')) await command(line);
      else if (line) await ask(line);
      rl.prompt();
    });
  });
  rl.prompt();
  await new Promise<void>((resolve) => rl.once('close', resolve));
  await queue;
  closed = true;
  if (session.turns.length > savedTurns && core.status === 'ok') {
    try {
      const { id } = await session.save();
      say(`conversation saved as ${id}`);
    } catch {
      // leaving must not fail because the core went away meanwhile
    }
  }
  app.close();
}

/**
 * Provider keys from the environment and .env first, then from `hx secret` (keyring or vault).
 * When a key waits in a sealed vault, the passphrase is asked for once (or read from
 * HELIX_KEYCHAIN_PASSPHRASE); without it those providers stay unconfigured.
 */
async function providerKeys(
  app: ReturnType<typeof createApp>,
  env: (name: string) => string | undefined,
): Promise<(name: string) => string | undefined> {
  const secrets = new Secrets(app.ctx, app.vault);
  const names = providerSpecs.flatMap((p) => p.env).filter((n) => env(n) === undefined);
  if (keysWaitOnVault(secrets, app.vault, names)) {
    try {
      const { unlockLocal } = await import('../../vault/cli/unlock.js');
      await unlockLocal(app, {});
    } catch (err) {
      process.stderr.write(`provider keys in the vault stay locked: ${(err as Error).message}\n`);
    }
  }
  const stored = secretKeys(secrets, cliActor());
  return (name) => env(name) ?? stored(name);
}
