// the SDK prints warnings (e.g. unsupported settings) on the console; ours go through the logger
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/** `ai` loads on the first call, not at start: it alone costs hundreds of milliseconds to import. */
let sdk: Promise<typeof import('ai')> | undefined;
export const loadSdk = () => {
  sdk ??= import('ai').then((m) => {
    warmPromptSchema(m.modelMessageSchema);
    return m;
  });
  return sdk;
};

/**
 * Each call validates its messages against a fresh `z.array(modelMessageSchema)`, and zod walks
 * that schema for cycles on a new array's first parse. The walk caches its answer only for
 * subtrees whose lazy JSON-value schemas have already resolved, which happens only when a value
 * with provider options was parsed: until then every call re-walks the whole message schema
 * (about 0.1–0.3 ms). One parse with nested provider options at load resolves them, once.
 */
function warmPromptSchema(schema: { safeParse(v: unknown): unknown }): void {
  const options = { warm: { list: [1, 'a', true, null, { nested: [{}] }], map: { k: 'v' } } };
  try {
    schema.safeParse({
      role: 'user',
      content: [{ type: 'text', text: '', providerOptions: options }],
      providerOptions: options,
    });
  } catch {
    // a warm-up only: the calls validate for themselves
  }
}
