import { api } from '../api.js';
import { emptyState, h, table, timeElement } from '../dom.js';
import { infrastructureText } from '../executions.js';

/** The pipelines (created through the API), each with its latest version, stages and where they deploy. */
export async function pipelinesPage({ main, signal }) {
  const { pipelines } = await api('/api/pipelines', { signal });
  main.append(
    h('h1', {}, 'Pipelines'),
    pipelines.length === 0
      ? emptyState('No pipelines yet — create one with POST /api/pipelines (a definition in JSON or YAML).')
      : table({
          caption: 'Pipelines',
          testid: 'pipelines-table',
          headers: ['Pipeline', 'Version', 'Stages', 'Where', 'Updated'],
          rowAttrs: (i) => ({ 'data-pipeline': pipelines[i].name }),
          rows: pipelines.map((p) => {
            const stages = p.definition?.stages ?? [];
            return [
              h('a', { href: `#/pipelines/${p.id}/activities` }, p.name),
              `v${p.version}`,
              stages.map((s) => s.name).join(' → ') || '—',
              [...new Set(stages.map((s) => infrastructureText(s.infrastructure)))].join(', ') || '—',
              timeElement(p.updatedAt),
            ];
          }),
        }),
  );
}
