import { api } from '../api.js';
import { emptyState, h, isRunning, shortId, statusBadge, table, timeElement } from '../dom.js';
import { executionLink, isDriftRefusal, watchExecution } from '../executions.js';
import { showError, showNotice } from '../notices.js';
import { tabSet } from '../tabs.js';
import { confirmRollback } from './execution-rollback.js';
import { executionsPanel } from './executions.js';
import { sloPanel } from './service-slo.js';

/** A service: its Instances (what runs where, and its rollback), its Activities and its SLO rollback decisions. */
export async function servicePage({ main, params: [serviceId, tab = 'instances'], signal }) {
  const service = await api(`/api/services/${serviceId}`, { signal });
  const activities = executionsPanel({
    filter: { service: serviceId },
    signal,
    emptyMessage: 'No executions of this service yet.',
  });
  const instances = instancesPanel({ serviceId, signal, onRollback: () => void activities.refresh() });
  const tabs = tabSet({
    baseHash: `#/services/${serviceId}`,
    label: 'Service views',
    tabs: [
      { key: 'instances', label: 'Instances', panel: instances.node },
      {
        key: 'activities',
        label: 'Activities',
        panel: executionsPanel({
          filter: { service: serviceId },
          signal,
          emptyMessage: 'No executions of this service yet.',
        }).node,
      },
      { key: 'slo', label: 'SLO rollback', panel: sloPanel({ serviceId, signal }).node },
    ],
  });
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Services'), ' / '),
    h('h1', {}, service.name),
    h('p', { class: 'hint', hidden: !service.description }, service.description ?? ''),
    tabs.node,
  );
  tabs.select(['activities', 'slo'].includes(tab) ? tab : 'instances', { updateUrl: false });
}

/**
 * The service dashboard: per environment and infrastructure, the artifact running, the execution that put it there,
 * the one before, and Rollback (only when the server says it is available; its reason otherwise). A Rollback started
 * here is followed to Completed or Exception, then the instances are read again.
 */
function instancesPanel({ serviceId, signal, onRollback }) {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'hint' }, 'Loading…'));
  const progress = h('div', { testid: 'rollback-progress', 'aria-live': 'polite' });
  const node = h('div', {}, progress, list);

  async function load() {
    try {
      const { instances } = await api(`/api/services/${serviceId}/instances`, { signal });
      list.replaceChildren(render(instances));
      list.setAttribute('aria-busy', 'false');
    } catch (error) {
      showError(error);
    }
  }

  async function rollBack(instance, { offerForce = false, driftMessage = null } = {}) {
    try {
      const rollback = await confirmRollback({
        executionId: instance.current.executionId,
        offerForce,
        driftMessage,
        signal,
      });
      if (rollback) await follow(rollback, instance);
    } catch (error) {
      showError(error);
    }
  }

  /** Shows the Rollback's status until it finished; a drift refusal offers the same rollback with force. */
  async function follow(rollback, instance) {
    showNotice(`Rollback ${shortId(rollback.id)} of ${instance.infrastructure.name} started.`);
    const show = (execution) =>
      progress.replaceChildren(
        h(
          'div',
          { class: 'card', testid: 'rollback-execution', 'data-status': execution.status },
          h(
            'p',
            {},
            executionLink(execution.id, 'Rollback'),
            ` of ${instance.infrastructure.name} (${instance.environment}): `,
            statusBadge(execution.status),
          ),
          execution.error ? h('p', { class: 'problem', testid: 'rollback-error' }, execution.error) : null,
          execution.status === 'Exception' && isDriftRefusal(execution.error)
            ? h(
                'button',
                {
                  type: 'button',
                  testid: 'rollback-force-button',
                  onClick: () => rollBack(instance, { offerForce: true, driftMessage: execution.error }),
                },
                'Roll back with force',
              )
            : null,
        ),
      );
    show(rollback);
    onRollback();
    const finished = await watchExecution(rollback.id, { signal, first: rollback, onChange: show });
    if (finished && !isRunning(finished)) {
      onRollback();
      await load();
    }
  }

  function render(instances) {
    if (instances.length === 0)
      return emptyState('This service runs nowhere yet — run a pipeline that deploys it (see Pipelines).');
    const sorted = [...instances].sort(
      (a, b) =>
        a.environment.localeCompare(b.environment) || a.infrastructure.name.localeCompare(b.infrastructure.name),
    );
    return table({
      caption: 'Instances',
      testid: 'instances-table',
      headers: ['Environment', 'Infrastructure', 'Artifact', 'Deployed by', 'Previous', 'Rollback'],
      rowAttrs: (i) => ({ testid: 'instance', 'data-infrastructure': sorted[i].infrastructure.name }),
      rows: sorted.map((instance) => [
        h(
          'a',
          { href: `#/executions?${new URLSearchParams({ environment: instance.environment })}` },
          instance.environment,
        ),
        [instance.infrastructure.name, h('div', { class: 'sub' }, instance.infrastructure.kind)],
        [
          instance.artifact ? h('code', { testid: 'instance-artifact' }, instance.artifact) : '—',
          instance.hosts ? hostList(instance.hosts) : null,
        ],
        [
          executionLink(instance.current.executionId, 'Deploy', 'current-execution'),
          h(
            'div',
            { class: 'sub' },
            h('a', { href: `#/pipelines/${instance.current.pipeline.id}/activities` }, instance.current.pipeline.name),
            ' · ',
            timeElement(instance.current.finishedAt),
          ),
        ],
        instance.previous
          ? [
              instance.previous.artifact ? h('code', { testid: 'previous-artifact' }, instance.previous.artifact) : '—',
              h(
                'div',
                { class: 'sub' },
                executionLink(instance.previous.executionId, 'Deploy', 'previous-execution'),
                ' · ',
                timeElement(instance.previous.finishedAt),
              ),
            ]
          : h('span', { class: 'hint' }, 'none: the first deployment here'),
        instance.rollback.available
          ? h(
              'button',
              {
                type: 'button',
                class: 'primary',
                testid: 'rollback-button',
                'aria-label': `Rollback ${instance.infrastructure.name} (${instance.environment})`,
                onClick: () => rollBack(instance),
              },
              'Rollback',
            )
          : h('span', { class: 'hint', testid: 'not-rollbackable' }, instance.rollback.reason),
      ]),
    });
  }

  void load();
  return { node, refresh: load };
}

/** Per host of an SSH infrastructure: the live release and the ones it keeps (as the last stage there left them). */
function hostList(hosts) {
  return h(
    'ul',
    { class: 'sub hosts', testid: 'instance-hosts' },
    hosts.map((host) =>
      h(
        'li',
        { testid: 'instance-host', 'data-host': host.host },
        h('code', {}, host.host),
        ': live ',
        host.live ? h('strong', { testid: 'host-live' }, host.live) : 'nothing',
        host.retained.length ? ` · kept ${host.retained.join(', ')}` : '',
      ),
    ),
  );
}
