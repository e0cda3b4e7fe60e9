import type { LanguageModel } from 'ai';
import type { Catalog, CatalogModel } from './catalog.js';
import { createLanguageModel } from './model-factory.js';
import { loadSdk } from './sdk.js';

/** The SDK model objects of one provider catalog, built on first use and kept. */
export class ModelCache {
  private readonly models = new Map<string, LanguageModel>();

  constructor(
    private readonly source: () => { catalog: Catalog; fetch?: typeof globalThis.fetch | undefined },
  ) {}

  clear(): void {
    this.models.clear();
  }

  async get(c: CatalogModel): Promise<LanguageModel> {
    let lm = this.models.get(c.ref);
    if (!lm) {
      const { catalog, fetch } = this.source();
      lm = await createLanguageModel(catalog.provider(c.provider)!, c.model, fetch);
      this.models.set(c.ref, lm);
    }
    return lm;
  }

  /**
   * Loads the AI SDK and the adapter package of every configured provider now rather than on the
   * first call, so that call does not wait hundreds of milliseconds for imports. A package that
   * fails to load is left for its first call to report.
   */
  async warm(): Promise<void> {
    await loadSdk();
    await Promise.all(
      this.source().catalog.providers.map(async (p) => {
        const first = p.models[0];
        if (first) await this.get(first).catch(() => undefined);
      }),
    );
  }
}
