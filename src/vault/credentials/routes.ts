import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { authorize, errorResponse, IdParams } from '../../http/route.js';
import { actorOf } from '../actor.js';
import type { Keychain } from '../keychain.js';
import { addAcl, createDomain, deleteAcl, deleteDomain, listAcls, listDomains } from './domains.js';
import {
  AclSchema,
  CreateAclBody,
  CreateCredentialBody,
  CreateDomainBody,
  CredentialSchema,
  CredentialWithValue,
  DomainSchema,
  GetCredentialQuery,
  ListCredentialsQuery,
  UpdateCredentialBody,
} from './schema.js';
import {
  archiveCredential,
  createCredential,
  destroyCredential,
  listCredentials,
  readCredential,
  updateCredential,
} from './service.js';

const tags = ['keychain'];
const errors = {
  400: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  503: errorResponse,
};

/** Credentials, domains and their ACLs. Values need the vault unsealed (503 vault_sealed otherwise). */
export const credentialRoutes: FastifyPluginAsyncZod<{ ctx: Context; vault: Keychain }> = async (
  app,
  { ctx, vault },
) => {
  app.post(
    '/api/v1/keychain/credentials',
    {
      schema: {
        tags,
        summary: 'Store a credential (value encrypted under its domain key)',
        body: CreateCredentialBody,
        response: { 201: CredentialSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      return reply.status(201).send(createCredential(ctx, vault, actorOf(req), req.body));
    },
  );

  app.get(
    '/api/v1/keychain/credentials',
    {
      schema: {
        tags,
        summary: 'List credentials the caller may read (metadata only, never values)',
        querystring: ListCredentialsQuery,
        response: {
          200: z.object({ items: z.array(CredentialSchema), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return listCredentials(ctx, req.principal, req.query);
    },
  );

  app.get(
    '/api/v1/keychain/credentials/:id',
    {
      schema: {
        tags,
        summary: 'Read a credential: metadata, history and the value of one version (audited)',
        params: IdParams,
        querystring: GetCredentialQuery,
        response: { 200: CredentialWithValue, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return readCredential(ctx, vault, actorOf(req), req.params.id, req.query.version);
    },
  );

  app.put(
    '/api/v1/keychain/credentials/:id',
    {
      schema: {
        tags,
        summary: 'Update metadata, or add a new value version',
        params: IdParams,
        body: UpdateCredentialBody,
        response: { 200: CredentialSchema, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      return updateCredential(ctx, vault, actorOf(req), req.params.id, req.body);
    },
  );

  app.delete(
    '/api/v1/keychain/credentials/:id',
    {
      schema: {
        tags,
        summary: 'Destroy a credential: every version is erased for good',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      destroyCredential(ctx, actorOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/keychain/credentials/:id/archive',
    {
      schema: {
        tags,
        summary: 'Archive a credential (kept, readable, marked out of use)',
        params: IdParams,
        response: { 200: CredentialSchema, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      return archiveCredential(ctx, actorOf(req), req.params.id);
    },
  );

  app.post(
    '/api/v1/keychain/domains',
    {
      schema: {
        tags,
        summary: 'Create a domain (its key is derived with HKDF from the vault key)',
        body: CreateDomainBody,
        response: { 201: DomainSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      return reply.status(201).send(createDomain(ctx, req.principal, req.body));
    },
  );

  app.get(
    '/api/v1/keychain/domains',
    {
      schema: {
        tags,
        summary: 'Domains the caller may read',
        response: { 200: z.object({ items: z.array(DomainSchema) }), ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return { items: listDomains(ctx, req.principal) };
    },
  );

  app.delete(
    '/api/v1/keychain/domains/:id',
    {
      schema: {
        tags,
        summary: 'Delete an empty domain',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      deleteDomain(ctx, req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/keychain/domains/:id/acls',
    {
      schema: {
        tags,
        summary: "Grant a subject rights on a domain (needs the domain's admin right)",
        params: IdParams,
        body: CreateAclBody,
        response: { 201: AclSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      return reply.status(201).send(addAcl(ctx, req.principal, req.params.id, req.body));
    },
  );

  app.get(
    '/api/v1/keychain/domains/:id/acls',
    {
      schema: {
        tags,
        summary: "A domain's ACL",
        params: IdParams,
        response: { 200: z.object({ items: z.array(AclSchema) }), ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return { items: listAcls(ctx, req.principal, req.params.id) };
    },
  );

  app.delete(
    '/api/v1/keychain/acls/:id',
    {
      schema: {
        tags,
        summary: 'Remove an ACL entry',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      deleteAcl(ctx, req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
