import { api } from '../api.js';
import { emptyState, formatDuration, h, isRunning, statusBadge, table, timeElement } from '../dom.js';
import { artifactsText, executionLink, releaseText, whereText } from '../executions.js';
import { navigate } from '../navigation.js';
import { showError } from '../notices.js';

const REFRESH_MS = 2000;
const PAGE = 50;

/**
 * Executions and their rollbacks matching `filter` ({pipeline, service, environment, infrastructure, kind}), newest
 * first, a page at a time ("Show older executions" loads the next); refreshes itself while one shown is running.
 * The Activities of a pipeline, a service or an environment, in the look of a branch's Activities.
 */
export function executionsPanel({ filter, signal, emptyMessage = 'No executions yet — run a pipeline.' }) {
  const node = h('div', { 'aria-busy': 'true' }, h('p', { class: 'hint' }, 'Loading…'));
  let timer = null;
  let newest = [];
  let older = [];
  let nextBefore = null;
  signal.addEventListener('abort', () => clearTimeout(timer));

  const page = (before) => {
    const query = new URLSearchParams({ ...filter, limit: String(PAGE), ...(before ? { before } : {}) });
    return api(`/api/executions?${query}`, { signal });
  };
  const olderThan = (executions) => (executions.length === PAGE ? executions.at(-1).createdAt : null);

  function show() {
    const seen = new Set(newest.map((e) => e.id));
    const executions = [...newest, ...older.filter((e) => !seen.has(e.id))];
    const more = nextBefore
      ? h('button', { type: 'button', testid: 'show-older', onClick: () => void loadOlder() }, 'Show older executions')
      : null;
    node.replaceChildren(render(executions, emptyMessage), ...(more ? [more] : []));
    node.setAttribute('aria-busy', 'false');
    clearTimeout(timer);
    if (executions.some(isRunning)) timer = setTimeout(refresh, REFRESH_MS);
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      newest = (await page(null)).executions;
      if (older.length === 0) nextBefore = olderThan(newest);
      show();
    } catch (error) {
      showError(error);
    }
  }

  async function loadOlder() {
    try {
      const next = (await page(nextBefore)).executions;
      older = [...older, ...next];
      nextBefore = olderThan(next);
      show();
    } catch (error) {
      showError(error);
    }
  }

  void refresh();
  return { node, refresh };
}

function render(executions, emptyMessage) {
  if (executions.length === 0) return emptyState(emptyMessage);
  return table({
    caption: 'Executions',
    testid: 'executions-table',
    headers: ['Execution', 'Status', 'Pipeline', 'Artifacts', 'Where', 'Started by', 'Created', 'Duration'],
    rowAttrs: (i) => ({ 'data-execution-id': executions[i].id, 'data-kind': executions[i].kind, testid: 'execution' }),
    rows: executions.map((e) => [
      [
        executionLink(e.id, e.kind),
        e.kind === 'Rollback' && e.executionId
          ? h('div', { class: 'sub' }, 'of ', executionLink(e.executionId, 'Deploy', 'rolled-back-link'))
          : null,
        e.kind === 'Deploy' && e.rollbackJobId ? h('span', { class: 'tag' }, 'rolled back') : null,
      ],
      statusBadge(e.status),
      [
        h('a', { href: `#/pipelines/${e.pipeline.id}/activities` }, `${e.pipeline.name} v${e.pipeline.version}`),
        e.release ? h('div', { class: 'sub', testid: 'execution-release' }, releaseText(e.release)) : null,
      ],
      artifactsText(e.artifacts),
      whereText(e.stages),
      e.createdBy ?? '—',
      timeElement(e.createdAt),
      formatDuration(e.startedAt, e.finishedAt),
    ]),
  });
}

/**
 * Every execution the token may read, filtered by pipeline, service, environment and kind (kept in the URL:
 * #/executions?environment=production), so an environment's Activities is one link away.
 */
export async function executionsPage({ main, params: [queryText = ''], signal }) {
  const query = new URLSearchParams(queryText);
  const [{ pipelines }, { items: services }, { items: infrastructures }] = await Promise.all([
    api('/api/pipelines', { signal }),
    api('/api/services', { signal }),
    api('/api/infrastructures', { signal }),
  ]);
  const environments = [...new Set(infrastructures.map((i) => i.environment))].sort();
  const select = (name, label, options) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `filter-${name}` }, label),
      h(
        'select',
        { id: `filter-${name}`, name },
        h('option', { value: '' }, 'Any'),
        options.map(([value, text]) => h('option', { value, selected: query.get(name) === value }, text)),
      ),
    );
  const form = h(
    'form',
    { class: 'inline-form', testid: 'executions-filter' },
    select(
      'pipeline',
      'Pipeline',
      pipelines.map((p) => [p.id, p.name]),
    ),
    select(
      'service',
      'Service',
      services.map((s) => [s.id, s.name]),
    ),
    select(
      'environment',
      'Environment',
      environments.map((e) => [e, e]),
    ),
    select('kind', 'Kind', [
      ['Deploy', 'Deploy'],
      ['Rollback', 'Rollback'],
    ]),
  );
  form.addEventListener('change', () => {
    const next = new URLSearchParams();
    for (const el of form.elements) if (el.name && el.value) next.set(el.name, el.value);
    navigate(`#/executions${next.size ? `?${next}` : ''}`);
  });
  const filter = Object.fromEntries(
    [...query].filter(
      ([key, value]) => ['pipeline', 'service', 'environment', 'infrastructure', 'kind'].includes(key) && value,
    ),
  );
  main.append(
    h('h1', {}, 'Executions'),
    form,
    executionsPanel({ filter, signal, emptyMessage: 'No executions match — run a pipeline, or change the filter.' })
      .node,
  );
}
