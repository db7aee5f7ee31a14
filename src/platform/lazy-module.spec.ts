import { describe, expect, it } from '@jest/globals';
import { LazyModule } from './lazy-module.js';

describe('LazyModule', () => {
  it('imports once, however many callers ask at the same time, and hands out the same module', async () => {
    let imports = 0;
    const lazy = new LazyModule('m', () => Promise.resolve({ n: ++imports }));
    expect(lazy.loaded).toBeUndefined();
    const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
    expect(a).toBe(b);
    expect(await lazy.load()).toBe(a);
    expect(lazy.loaded).toBe(a);
    expect(lazy.get()).toBe(a);
    expect(imports).toBe(1);
  });

  it('says which module was used before it was loaded', () => {
    const lazy = new LazyModule('@aws-sdk/client-ecs', () => Promise.resolve({}));
    expect(() => lazy.get()).toThrow('@aws-sdk/client-ecs is used before it was loaded');
  });

  it('tries the import again after one failed', async () => {
    let attempts = 0;
    const lazy = new LazyModule('m', () =>
      ++attempts === 1 ? Promise.reject(new Error('EMFILE')) : Promise.resolve({}),
    );
    await expect(lazy.load()).rejects.toThrow('EMFILE');
    expect(lazy.loaded).toBeUndefined();
    await expect(lazy.load()).resolves.toEqual({});
    expect(attempts).toBe(2);
  });
});
