import { allExecutionLogs, followEvents } from '../api.js';
import { appendLogLines, h } from '../dom.js';
import { showError } from '../notices.js';

/**
 * An execution's log with a per-stage filter: live from GET /api/executions/:id/events while the execution runs
 * (onStatus on every status event, onEnd once it finished), the stored lines afterwards.
 */
export function stageLogPanel({ executionId, stages, running, signal, onStatus = () => {}, onEnd = () => {} }) {
  const filter = h('select', { id: 'log-stage', testid: 'log-stage' });
  const setStages = (rows) => {
    const selected = filter.value;
    filter.replaceChildren(
      h('option', { value: '' }, 'All stages'),
      ...rows.map((s) => h('option', { value: s.name }, s.name)),
    );
    filter.value = selected;
  };
  setStages(stages);
  const list = h('ol', { class: 'log', testid: 'log' });
  let live = running;
  let reading = new AbortController();

  async function show(stage) {
    reading.abort();
    reading = new AbortController();
    const scope = AbortSignal.any([signal, reading.signal]);
    list.replaceChildren();
    try {
      if (!live) return append(await allExecutionLogs(executionId, { stage, signal: scope }));
      await followEvents(`/api/executions/${executionId}/events`, {
        query: stage ? { stage } : {},
        signal: scope,
        onLog: (line) => append([line]),
        onStatus,
        onEnd: () => {
          live = false;
          onEnd();
        },
      });
    } catch (error) {
      if (!scope.aborted) showError(error);
    }
  }

  const append = (lines) => appendLogLines(list, lines, (line) => line.stage);

  filter.addEventListener('change', () => void show(filter.value));
  void show('');
  return {
    node: h(
      'div',
      {},
      h('div', { class: 'field inline' }, h('label', { for: 'log-stage' }, 'Show the log of'), filter),
      list,
    ),
    setStages,
    /** Shows one stage's lines (from the stage table). */
    showStage(name) {
      filter.value = name;
      void show(name);
      filter.focus();
    },
  };
}
