import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from './json.js';
import { jsonMergePatch, jsonPatch, listStrategyOf, PatchError, strategicMergePatch } from './patch.js';

const podTemplate = (): JsonObject => ({
  spec: {
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'app', image: 'web:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
          { name: 'sidecar', image: 'proxy:1' },
        ],
        tolerations: [{ key: 'a' }, { key: 'b' }],
      },
    },
  },
});

describe('jsonMergePatch (RFC 7386)', () => {
  it('merges objects, removes keys set to null and replaces lists whole', () => {
    expect(jsonMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3], f: 'x' })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
      l: [3],
      f: 'x',
    });
  });

  it('replaces the target when the patch is not an object', () => {
    expect(jsonMergePatch({ a: 1 }, [1])).toEqual([1]);
  });
});

describe('jsonPatch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test in order', () => {
    const result = jsonPatch({ a: { b: 1 }, list: [1, 2] }, [
      { op: 'add', path: '/list/1', value: 9 },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/a/b', value: 2 },
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'move', from: '/a/b', path: '/d' },
      { op: 'remove', path: '/list/0' },
      { op: 'test', path: '/d', value: 2 },
      { op: 'add', path: '/x~1y', value: true },
    ]);
    expect(result).toEqual({ a: {}, list: [9, 2, 3], c: { b: 2 }, d: 2, 'x/y': true });
  });

  it('does not change its input', () => {
    const input = { a: 1 };
    jsonPatch(input, [{ op: 'replace', path: '/a', value: 2 }]);
    expect(input).toEqual({ a: 1 });
  });

  it('calls a malformed document malformed and an operation that does not fit the object failed', () => {
    const problem = (patch: unknown) => {
      try {
        jsonPatch({ a: 1 }, patch as never);
      } catch (error) {
        return error instanceof PatchError ? error.problem : 'other';
      }
      return 'applied';
    };
    expect(problem({ op: 'add' })).toBe('malformed');
    expect(problem([{ op: 'jump', path: '/a' }])).toBe('malformed');
    expect(problem([{ op: 'add', path: '/a' }])).toBe('malformed');
    expect(problem([{ op: 'replace', path: '/missing', value: 1 }])).toBe('failed');
    expect(problem([{ op: 'remove', path: '/a/b/c' }])).toBe('failed');
    expect(problem([{ op: 'test', path: '/a', value: 2 }])).toBe('failed');
  });
});

describe('listStrategyOf', () => {
  it('knows the merge keys of the lists in pod templates, services and metadata', () => {
    expect(listStrategyOf(['spec', 'template', 'spec', 'containers'])).toEqual({ mergeKey: 'name' });
    expect(listStrategyOf(['spec', 'template', 'spec', 'containers', 'ports'])).toEqual({ mergeKey: 'containerPort' });
    expect(listStrategyOf(['spec', 'ports'])).toEqual({ mergeKey: 'port' });
    expect(listStrategyOf(['spec', 'containers', 'volumeMounts'])).toEqual({ mergeKey: 'mountPath' });
    expect(listStrategyOf(['metadata', 'finalizers'])).toBe('merge-primitives');
    expect(listStrategyOf(['spec', 'template', 'spec', 'tolerations'])).toBe('replace');
  });
});

describe('strategicMergePatch', () => {
  const containers = (value: any) => value.spec.template.spec.containers;

  it('merges containers by name, keeping the fields the patch does not mention', () => {
    const result = strategicMergePatch(podTemplate(), {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'web:2' },
              { name: 'new', image: 'n:1' },
            ],
          },
        },
      },
    });
    expect(containers(result)).toEqual([
      { name: 'app', image: 'web:2', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'proxy:1' },
      { name: 'new', image: 'n:1' },
    ]);
  });

  it('deletes list elements marked $patch: delete and orders them by $setElementOrder (what kubectl apply sends)', () => {
    const result = strategicMergePatch(podTemplate(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
            containers: [
              {
                name: 'app',
                env: [
                  { name: 'A', $patch: 'delete' },
                  { name: 'B', value: '2' },
                ],
              },
            ],
          },
        },
      },
    });
    expect(containers(result).map((c: any) => c.name)).toEqual(['sidecar', 'app']);
    expect(containers(result)[1].env).toEqual([{ name: 'B', value: '2' }]);
  });

  it('replaces lists without a merge key and objects marked $patch: replace', () => {
    const result: any = strategicMergePatch(podTemplate(), {
      spec: {
        template: {
          metadata: { labels: { $patch: 'replace', tier: 'front' } },
          spec: { tolerations: [{ key: 'c' }] },
        },
      },
    });
    expect(result.spec.template.spec.tolerations).toEqual([{ key: 'c' }]);
    expect(result.spec.template.metadata.labels).toEqual({ tier: 'front' });
  });

  it('keeps only $retainKeys, removes nulls and deletes from primitive lists', () => {
    const result = strategicMergePatch(
      {
        metadata: { finalizers: ['a', 'b'], labels: { x: '1', y: '2' } },
        spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
      },
      {
        metadata: { finalizers: ['c'], labels: { x: null }, '$deleteFromPrimitiveList/finalizers': ['a'] },
        spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
      },
    );
    expect(result).toEqual({
      metadata: { finalizers: ['b', 'c'], labels: { y: '2' } },
      spec: { strategy: { type: 'Recreate' } },
    });
  });

  it('refuses list elements without their merge key and unknown directives', () => {
    expect(() =>
      strategicMergePatch(podTemplate(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
    ).toThrow('does not contain declared merge key: name');
    expect(() => strategicMergePatch({}, { spec: { $patch: 'explode' } })).toThrow('unknown patch directive');
    expect(() => strategicMergePatch({}, [])).toThrow(PatchError);
  });
});
