import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { authorize, errorResponse } from '../../http/route.js';
import { actorOf } from '../actor.js';
import type { Keychain } from '../keychain.js';
import { KeychainStatus } from '../keychain-routes.js';
import { SECRET_NAME, type Secrets } from './service.js';

const tags = ['secrets'];
const errors = {
  400: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  429: errorResponse,
  503: errorResponse,
};
const backend = z.enum(['keyring', 'vault', 'env']);
const key = z
  .string()
  .regex(SECRET_NAME, 'key: letters, digits and _.- (max 128), starting with a letter or digit');

const SecretView = z.object({
  key: z.string(),
  backend,
  metadata: z.record(z.string(), z.unknown()),
  version: z.number().int().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});

const SecretsStatus = z.object({
  backends: z.array(
    z.object({ name: backend, writable: z.boolean(), available: z.boolean(), reason: z.string().nullable() }),
  ),
  write_backend: backend.nullable(),
  vault: z.enum(['uninitialized', 'sealed', 'unsealed']),
});

/** The simple face of the vault: named secrets. Values need `admin`; names and status need `read`. */
export const secretRoutes: FastifyPluginAsyncZod<{
  ctx: Context;
  vault: Keychain;
  secrets: Secrets;
}> = async (app, { vault, secrets }) => {
  app.get(
    '/api/v1/secrets/status',
    {
      schema: {
        tags,
        summary: 'Secret backends in order, which one writes, and the vault state',
        response: { 200: SecretsStatus },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return secrets.status();
    },
  );

  app.post(
    '/api/v1/secrets/unlock',
    {
      schema: {
        tags,
        summary: 'Unseal the vault with its passphrase (same as /api/v1/keychain/unseal)',
        body: z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
        response: { 200: KeychainStatus, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      await vault.unseal(req.body.passphrase, actorOf(req));
      return vault.status();
    },
  );

  app.post(
    '/api/v1/secrets',
    {
      schema: {
        tags,
        summary: 'Store a secret in the first writable backend (OS keyring, else the vault)',
        body: z
          .object({
            key,
            value: z.string().min(1, 'value: must not be empty').max(65_536, 'value: at most 64 KiB'),
            metadata: z.record(z.string(), z.unknown()).default({}),
          })
          .strict(),
        response: { 201: SecretView, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      return reply
        .status(201)
        .send(secrets.set(actorOf(req), req.body.key, req.body.value, req.body.metadata));
    },
  );

  app.get(
    '/api/v1/secrets',
    {
      schema: {
        tags,
        summary: 'Secret names and metadata (never values)',
        response: { 200: z.object({ items: z.array(SecretView) }) },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return { items: secrets.list() };
    },
  );

  app.get(
    '/api/v1/secrets/:key',
    {
      schema: {
        tags,
        summary: 'Read a secret value (audited)',
        params: z.object({ key }).strict(),
        response: { 200: z.object({ key: z.string(), value: z.string(), backend }), ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      return secrets.get(actorOf(req), req.params.key);
    },
  );

  app.delete(
    '/api/v1/secrets/:key',
    {
      schema: {
        tags,
        summary: 'Delete a secret',
        params: z.object({ key }).strict(),
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      secrets.delete(actorOf(req), req.params.key);
      return reply.status(204).send(null);
    },
  );
};
