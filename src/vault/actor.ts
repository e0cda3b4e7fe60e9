import type { FastifyRequest } from 'fastify';
import type { VaultActor } from './keychain-audit.js';

/** The keychain's view of a request: who, and the ids that tie its audit rows to the request. */
export const actorOf = (req: FastifyRequest): VaultActor => ({
  principal: req.principal,
  request_id: req.id,
  ip: req.ip ?? null,
});
