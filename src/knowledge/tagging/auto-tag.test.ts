import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({
    'ai.auto_tagging_enabled': true,
    'ai.auto_tagging_max_generated_tags': 3,
    'ai.auto_tagging_max_total_tags': 4,
  });
});
afterEach(() => t.dispose());

describe('auto-tagging', () => {
  it('adds tags that similar nodes share, then distinctive keywords, within the maxima', () => {
    for (let i = 0; i < 4; i++) {
      makeNode(t.ctx, {
        content: `compiler optimisation pass number ${i} for the register allocator`,
        tags: ['compilers'],
      });
    }
    for (let i = 0; i < 6; i++)
      makeNode(t.ctx, { content: `gardening notes ${i}: tomatoes need sun`, tags: ['garden'] });
    const n = makeNode(t.ctx, {
      title: 'Register allocation',
      content: 'Graph colouring register allocation in the compiler backend; register pressure and spilling.',
      tags: ['mine'],
    });
    expect(n.tags).toContain('mine');
    expect(n.tags).toContain('compilers');
    expect(n.tags).toContain('register');
    expect(n.tags).not.toContain('garden');
    expect(n.tags.length).toBeLessThanOrEqual(4);
    const auto = n.metadata.auto_tags as string[];
    expect(auto[0]).toBe('compilers');
    expect(auto).toHaveLength(3);
  });

  it('never goes past the total and is off by default', () => {
    const full = makeNode(t.ctx, { content: 'alpha alpha beta beta', tags: ['a', 'b', 'c', 'd'] });
    expect(full.tags).toEqual(['a', 'b', 'c', 'd']);
    const off = makeTestApp();
    expect(makeNode(off.ctx, { content: 'alpha alpha beta beta gamma gamma' }).tags).toEqual([]);
    off.dispose();
  });
});
