import { z } from 'zod';

const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64)')
  .describe('unique connector name');
const SecretRef = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a secret name (hx secrets), not a secret value')
  .describe('name of a secret in the vault / keyring / HELIX_SECRET_* (never the value itself)');
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name');

const stdio = {
  name: Name,
  transport: z.literal('stdio'),
  command: z.string().min(1).max(1024).describe('program to start (speaks MCP on stdin/stdout)'),
  args: z.array(z.string().max(4096)).max(64).default([]),
  env: z.record(EnvName, z.string().max(4096)).default({}).describe('plain (non-secret) environment values'),
  secret_env: z
    .record(EnvName, SecretRef)
    .default({})
    .describe('environment variables filled from secrets, by name'),
  enabled: z.boolean().default(true),
};
const http = {
  name: Name,
  transport: z.literal('http'),
  url: z
    .url({ protocol: /^https?$/, error: 'url: an http(s) URL' })
    .max(2048)
    .describe('Streamable HTTP endpoint of the server'),
  bearer_secret: SecretRef.optional().describe('secret sent as Authorization: Bearer …'),
  enabled: z.boolean().default(true),
};

export const ConnectorBody = z.discriminatedUnion('transport', [
  z.object(stdio).strict(),
  z.object(http).strict(),
]);
export type ConnectorInput = z.output<typeof ConnectorBody>;

export const connectorStates = ['closed', 'open', 'half-open', 'isolated'] as const;

export const ConnectorSchema = z.object({
  id: z.string(),
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  command: z.string().nullable(),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  secret_env: z.record(z.string(), z.string()),
  url: z.string().nullable(),
  bearer_secret: z.string().nullable(),
  enabled: z.boolean(),
  origin: z
    .enum(['api', 'config'])
    .describe('config connectors come from [mcp] servers and are read-only here'),
  breaker: z.enum(connectorStates).describe('circuit breaker: open means isolated after repeated failures'),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type Connector = z.infer<typeof ConnectorSchema>;

export const ConnectorParams = z
  .object({
    id: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'id: not a connector id'),
  })
  .strict();

export const ConnectorTool = z.object({
  name: z.string(),
  description: z.string().nullable(),
  input_schema: z.record(z.string(), z.unknown()),
});
export const ToolsResponse = z.object({
  connector_id: z.string(),
  breaker: z.enum(connectorStates),
  tools: z.array(ConnectorTool),
});

export const CallBody = z
  .object({
    tool: z.string().min(1).max(256),
    arguments: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export const CallResponse = z.object({
  connector_id: z.string(),
  is_error: z.boolean(),
  content: z.array(z.record(z.string(), z.unknown())),
  structured_content: z.record(z.string(), z.unknown()).nullable(),
});
