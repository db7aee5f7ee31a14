import { allExecutionLogs, followEvents } from '../api.js';
import { formatTime, h } from '../dom.js';
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

  function append(lines) {
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.querySelector('.hint')?.remove();
    list.append(
      ...lines.map((line) =>
        h(
          'li',
          { class: `level-${line.level}` },
          h('time', { datetime: line.at }, formatTime(line.at)),
          h('span', { class: 'level' }, line.level),
          line.stage ? h('span', { class: 'component' }, line.stage) : null,
          h('span', { class: 'message' }, line.message),
        ),
      ),
    );
    if (list.childElementCount === 0) list.append(h('li', { class: 'hint' }, 'No log lines.'));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

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
