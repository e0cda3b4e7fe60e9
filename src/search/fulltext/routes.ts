import { authorize, type DomainRoutes, errorResponse, scopedNamespace } from '../../http/route.js';
import { authorizeOperation, scopeFilter } from '../../security/policy.js';
import { SearchQuery, SearchResponse } from './schema.js';
import { searchFulltext } from './service.js';

export const searchRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search (BM25 over title, content and tags)',
        querystring: SearchQuery,
        response: { 200: SearchResponse, 400: errorResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      authorizeOperation(req.principal, 'search');
      return searchFulltext(ctx, {
        ...req.query,
        namespace: scopedNamespace(req.principal, req.query.namespace),
        scope: scopeFilter(req.principal),
      });
    },
  );
};
