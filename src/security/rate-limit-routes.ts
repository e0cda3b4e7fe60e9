import { z } from 'zod';
import { authorize, type DomainRoutes, errorResponse } from '../http/route.js';

const RateLimitView = z.object({
  enabled: z.boolean(),
  limit: z.number().int(),
  window_secs: z.number().int(),
  /** null when requests are not limited (auth disabled or [rate_limit] enabled = false) */
  remaining: z.number().int().nullable(),
  reset_at: z.string().nullable(),
  /** where the caller's requests are counted: Redis (HELIX_REDIS_URL) or this process's memory */
  store: z.enum(['memory', 'redis']).nullable(),
});

/** The caller's own rate-limit state, as counted by the pipeline for this very request. */
export const rateLimitRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/rate-limits',
    {
      schema: {
        tags: ['security'],
        summary: "The caller's rate limit: limit, window, remaining requests and reset time",
        response: { 200: RateLimitView, 401: errorResponse, 429: errorResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const { requests, window_secs } = ctx.config.rate_limit;
      const state = req.rateLimit;
      if (!state)
        return { enabled: false, limit: requests, window_secs, remaining: null, reset_at: null, store: null };
      return { enabled: true, ...state };
    },
  );
};
