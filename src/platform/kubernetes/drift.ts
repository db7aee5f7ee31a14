import { contains, imageOf, normalizeManifest, templateHash, templateOf, type KubeObject } from './kube-objects.js';
import type { KubernetesData, KubernetesOutputs } from './kubernetes-records.js';
import { refKey, refOf, type KubernetesSpec } from './kubernetes-spec.js';

/**
 * How the live objects differ from what the stage left, one sentence each ([] when nothing changed): a Deployment
 * whose pod template is no longer the one the deploy left, a ConfigMap/Service/Secret that no longer holds what the
 * deploy applied, an object the deploy created or changed that is gone. `live` maps `refKey` to the object (null:
 * not found). Secret values never appear in a sentence.
 */
export function driftSentences(
  recorded: { spec: KubernetesSpec; data: KubernetesData; outputs: KubernetesOutputs },
  live: ReadonlyMap<string, KubeObject | null>,
): string[] {
  const sentences: string[] = [];
  for (const manifest of recorded.spec.manifests) {
    const ref = refOf(manifest, recorded.spec.namespace);
    const key = refKey(ref);
    const current = live.get(key) ?? null;
    const captured = recorded.data.objects.find((o) => refKey(o) === key);
    if (!current) {
      sentences.push(`${key}, ${captured?.existed === false ? 'created' : 'changed'} by the execution, is gone.`);
      continue;
    }
    if (ref.kind === 'Deployment') {
      const left = recorded.outputs.deployments.find((d) => d.namespace === ref.namespace && d.name === ref.name);
      if (left && templateHash(templateOf(current)) !== left.templateHash)
        sentences.push(
          `${key}: its pod template changed since the execution (image now ${imageOf(current) ?? 'none'}, the execution left ${left.image ?? 'none'}).`,
        );
      continue;
    }
    if (!contains(current, normalizeManifest(manifest)))
      sentences.push(`${key} no longer holds what the execution applied.`);
  }
  return sentences;
}
