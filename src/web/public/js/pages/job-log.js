import { allLogs, followJob } from '../api.js';
import { appendLogLines, h } from '../dom.js';
import { showError } from '../notices.js';

/**
 * The job log with a per-component filter. While the job runs it follows the live stream (which also carries the
 * job's status: onStatus(job) on every change, onEnd() once it finished); afterwards it reads the stored lines.
 */
export function logPanel({ jobId, components, running, signal, onStatus, onEnd }) {
  const filter = h('select', { id: 'log-component' });
  const setComponents = (rows) => {
    const selected = filter.value;
    filter.replaceChildren(
      h('option', { value: '' }, 'All components'),
      ...rows.map((c) => h('option', { value: `${c.type}:${c.fullName}` }, `${c.type}: ${c.fullName}`)),
    );
    filter.value = selected;
  };
  setComponents(components);
  const list = h('ol', { class: 'log', testid: 'log' });
  let live = running;
  let reading = new AbortController();

  async function show(component) {
    reading.abort();
    reading = new AbortController();
    const scope = AbortSignal.any([signal, reading.signal]);
    list.replaceChildren();
    try {
      if (!live) return append(await allLogs(jobId, { component, signal: scope }));
      await followJob(jobId, {
        component,
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

  const append = (lines) => appendLogLines(list, lines, (line) => line.component);

  filter.addEventListener('change', () => void show(filter.value));
  void show('');
  return {
    node: h(
      'div',
      {},
      h('div', { class: 'field inline' }, h('label', { for: 'log-component' }, 'Show the log of'), filter),
      list,
    ),
    setComponents,
    /** Shows one component's thread (from the components table). */
    showComponent(key) {
      filter.value = key;
      void show(key);
      filter.focus();
    },
  };
}
