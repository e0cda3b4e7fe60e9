import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { authorize, errorResponse } from '../http/route.js';
import { actorOf } from './actor.js';
import type { Keychain } from './keychain.js';

const tags = ['keychain'];
const errors = {
  400: errorResponse,
  403: errorResponse,
  409: errorResponse,
  429: errorResponse,
  503: errorResponse,
};
const passphrase = z.string().min(8, 'passphrase: at least 8 characters').max(1024);
const shareCount = z.number().int().min(2).max(255);

export const KeychainStatus = z.object({
  state: z.enum(['uninitialized', 'sealed', 'unsealed']),
  initialized: z.boolean(),
  sealed: z.boolean(),
  active_epoch: z.number().int().nullable(),
  kdf: z
    .object({
      algorithm: z.literal('argon2id'),
      memory_kib: z.number(),
      iterations: z.number(),
      parallelism: z.number(),
    })
    .nullable(),
  shamir: z.object({
    enabled: z.boolean(),
    set_id: z.string().nullable(),
    shares: z.number().nullable(),
    threshold: z.number().nullable(),
    submitted: z.number(),
  }),
  failed_attempts: z.number().int(),
  retry_after_secs: z.number().int(),
  how_to_unseal: z.array(z.string()),
});

const ShamirProgress = z.object({
  enabled: z.boolean(),
  set_id: z.string().nullable(),
  shares: z.number().nullable(),
  threshold: z.number().nullable(),
  submitted: z.number().int(),
  sealed: z.boolean(),
  accepted: z.boolean().optional(),
  unsealed: z.boolean().optional(),
});

const ShareSet = z.object({ shares: z.array(z.string()), set_id: z.string(), threshold: z.number().int() });
const ShamirSplitBody = z.object({ shares: shareCount, threshold: shareCount }).strict();

/** Vault lifecycle: init, unseal (passphrase or Shamir shares), seal, rotate, epochs. */
export const keychainRoutes: FastifyPluginAsyncZod<{ ctx: Context; vault: Keychain }> = async (
  app,
  { vault },
) => {
  app.get(
    '/api/v1/keychain/status',
    {
      schema: {
        tags,
        summary: 'Vault state, KDF parameters, Shamir progress and back-off',
        response: { 200: KeychainStatus },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return vault.status();
    },
  );

  app.post(
    '/api/v1/keychain/init',
    {
      schema: {
        tags,
        summary:
          'Create the vault; with shares/threshold the key is also split K-of-N (shares returned once)',
        body: z
          .object({ passphrase, shares: shareCount.optional(), threshold: shareCount.optional() })
          .strict(),
        response: {
          201: z.object({
            status: KeychainStatus,
            shares: z.array(z.string()).nullable(),
            set_id: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      const result = await vault.init(req.body, actorOf(req));
      return reply.status(201).send({ status: vault.status(), ...result });
    },
  );

  app.post(
    '/api/v1/keychain/unseal',
    {
      schema: {
        tags,
        summary: 'Unseal with the passphrase (failed attempts back off and are audited)',
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
    '/api/v1/keychain/seal',
    {
      schema: {
        tags,
        summary: 'Seal: the key is wiped from memory',
        response: { 200: KeychainStatus, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      vault.seal(actorOf(req));
      return vault.status();
    },
  );

  app.post(
    '/api/v1/keychain/rotate',
    {
      schema: {
        tags,
        summary: 'New key epoch: data keys re-wrapped, the old epoch kept for the grace period',
        body: z.object({ new_passphrase: passphrase.optional() }).strict().default({}),
        response: {
          200: z.object({
            epoch: z.number().int(),
            rewrapped: z.number().int(),
            retired: z.array(z.number().int()),
            passphrase_changed: z.boolean(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      return vault.rotate(req.body ?? {}, actorOf(req));
    },
  );

  app.get(
    '/api/v1/keychain/epochs',
    {
      schema: {
        tags,
        summary: 'Key epochs: active, in grace, retired',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                epoch: z.number().int(),
                state: z.enum(['active', 'grace', 'retired']),
                created_at: z.string(),
                grace_until: z.string().nullable(),
                retired_at: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return { items: vault.epochs() };
    },
  );

  app.get(
    '/api/v1/keychain/shamir/status',
    {
      schema: {
        tags,
        summary: 'Shares submitted so far and the threshold (never the shares)',
        response: { 200: ShamirProgress },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return vault.shamirStatus();
    },
  );

  app.post(
    '/api/v1/keychain/shamir/submit',
    {
      schema: {
        tags,
        summary: 'Submit one share (any order; duplicates count once); the vault unseals at the threshold',
        body: z.object({ share: z.string().min(1).max(1024) }).strict(),
        response: { 200: ShamirProgress, ...errors },
      },
    },
    async (req) => {
      // share holders need not be Helix admins: any writer may hand one in
      authorize(req.principal, 'write');
      return vault.submitShare(req.body.share, actorOf(req));
    },
  );

  app.post(
    '/api/v1/keychain/shamir/unseal',
    {
      schema: {
        tags,
        summary: 'Submit several shares at once',
        body: z.object({ shares: z.array(z.string().min(1).max(1024)).min(1).max(255) }).strict(),
        response: { 200: ShamirProgress, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      let progress = vault.shamirStatus() as z.infer<typeof ShamirProgress>;
      for (const share of req.body.shares) {
        progress = await vault.submitShare(share, actorOf(req));
        if (progress.unsealed) break;
      }
      return progress;
    },
  );

  for (const [path, summary] of [
    ['/api/v1/keychain/shamir/rotate', 'Issue a new share set for the same key; the old shares stop working'],
    ['/api/v1/keychain/shamir/enable', 'Split the vault key into shares (needs the vault unsealed)'],
  ] as const) {
    app.post(
      path,
      { schema: { tags, summary, body: ShamirSplitBody, response: { 200: ShareSet, ...errors } } },
      async (req) => {
        authorize(req.principal, 'admin');
        return vault.shamirRotate(req.body, actorOf(req));
      },
    );
  }
};
