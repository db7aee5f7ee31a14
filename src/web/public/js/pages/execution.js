import { api } from '../api.js';
import { emptyState, formatDuration, h, isRunning, shortId, statusBadge, table, timeElement } from '../dom.js';
import {
  artifactsText,
  executionLink,
  infrastructureText,
  isDriftRefusal,
  releaseText,
  watchExecution,
} from '../executions.js';
import { navigate } from '../navigation.js';
import { flashAfterNavigation, showError } from '../notices.js';
import { confirmRollback } from './execution-rollback.js';
import { stageLogPanel } from './stage-log.js';

/**
 * An execution of a pipeline (a Deploy) or its Rollback: status, pipeline and version, artifacts, a row per stage and
 * the per-stage log, live while it runs; the Rollback button when GET /api/executions/:id/rollback says it is
 * available (its reason otherwise).
 */
export async function executionPage({ main, params: [executionId], signal }) {
  let execution = await api(`/api/executions/${executionId}`, { signal });
  const heading = h('div', { class: 'title-row' });
  const actions = h('div', { class: 'actions', testid: 'execution-actions' });
  const summary = h('div', {});
  const stagesView = h('div', {});
  const log = stageLogPanel({
    executionId,
    stages: execution.stages,
    running: isRunning(execution),
    signal,
  });

  function render() {
    heading.replaceChildren(h('h1', {}, `${execution.kind} ${shortId(execution.id)}`), statusBadge(execution.status));
    summary.replaceChildren(summaryList(execution));
    stagesView.replaceChildren(stageTable(execution, log.showStage));
    log.setStages(execution.stages);
  }

  async function renderActions() {
    if (isRunning(execution)) return actions.replaceChildren();
    if (execution.kind === 'Rollback') {
      // A Rollback refused for drift released its claim: offer it again, with force.
      if (execution.status === 'Exception' && isDriftRefusal(execution.error) && execution.executionId)
        actions.replaceChildren(
          h(
            'button',
            {
              type: 'button',
              testid: 'rollback-force-button',
              onClick: () => startRollback(execution.executionId, true),
            },
            'Roll back with force',
          ),
        );
      else actions.replaceChildren();
      return;
    }
    const verdict = await api(`/api/executions/${executionId}/rollback`, { signal });
    actions.replaceChildren(
      verdict.available
        ? h(
            'button',
            {
              type: 'button',
              class: 'primary',
              testid: 'rollback-button',
              onClick: () => startRollback(executionId, false),
            },
            'Rollback',
          )
        : h('p', { class: 'hint', testid: 'not-rollbackable' }, verdict.reason),
    );
  }

  async function startRollback(id, offerForce) {
    try {
      const rollback = await confirmRollback({
        executionId: id,
        offerForce,
        driftMessage: offerForce ? execution.error : null,
        signal,
      });
      if (!rollback) return;
      flashAfterNavigation({ notice: `Rollback ${shortId(rollback.id)} started.` });
      navigate(`#/executions/${rollback.id}`);
    } catch (error) {
      showError(error);
    }
  }

  main.append(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/pipelines' }, 'Pipelines'),
      ' / ',
      h('a', { href: `#/pipelines/${execution.pipeline.id}/activities` }, execution.pipeline.name),
      ' / ',
    ),
    heading,
    actions,
    summary,
    h('h2', {}, 'Stages'),
    stagesView,
    h('h2', {}, 'Log'),
    log.node,
  );
  render();
  await renderActions();
  if (isRunning(execution)) {
    execution = await watchExecution(executionId, {
      signal,
      first: execution,
      onChange: (next) => {
        execution = next;
        render();
      },
    });
    if (!signal.aborted) await renderActions();
  }
}

function summaryList(execution) {
  const rows = [
    [
      'Pipeline',
      h(
        'a',
        { href: `#/pipelines/${execution.pipeline.id}/definition`, testid: 'pipeline-link' },
        `${execution.pipeline.name} v${execution.pipeline.version}`,
      ),
    ],
    execution.release ? ['Release', h('span', { testid: 'execution-release' }, releaseText(execution.release))] : null,
    ['Artifacts', h('span', { testid: 'execution-artifacts' }, artifactsText(execution.artifacts))],
    execution.kind === 'Rollback' && execution.executionId
      ? ['Rolls back', executionLink(execution.executionId, 'Deploy', 'rolled-back-link')]
      : null,
    execution.kind === 'Deploy' && execution.rollbackJobId
      ? ['Rolled back by', executionLink(execution.rollbackJobId, 'Rollback', 'rollback-link')]
      : null,
    ['Started by', execution.createdBy ?? '—'],
    ['Created', timeElement(execution.createdAt)],
    ['Finished', timeElement(execution.finishedAt)],
    ['Duration', formatDuration(execution.startedAt, execution.finishedAt)],
    execution.error ? ['Error', h('span', { class: 'problem', testid: 'execution-error' }, execution.error)] : null,
  ];
  return h(
    'dl',
    { class: 'summary', testid: 'execution-summary' },
    rows.filter(Boolean).map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
  );
}

/** A stage's outputs: plain values as `key: value`, lists and objects (what it applied) folded under their key. */
function outputsNode(outputs) {
  const entries = Object.entries(outputs ?? {});
  if (entries.length === 0) return '—';
  return h(
    'ul',
    { class: 'outputs', testid: 'stage-outputs' },
    entries.map(([key, value]) =>
      h(
        'li',
        {},
        value !== null && typeof value === 'object'
          ? h(
              'details',
              {},
              h('summary', {}, h('code', {}, Array.isArray(value) ? `${key} (${value.length})` : key)),
              h('pre', {}, JSON.stringify(value, null, 2)),
            )
          : h('code', {}, `${key}: ${value}`),
      ),
    ),
  );
}

function stageTable(execution, showLog) {
  if (execution.stages.length === 0) return emptyState('No stages yet.');
  const childKind = execution.kind === 'Rollback' ? 'Rollback' : 'Deploy';
  return table({
    caption: 'Stages',
    testid: 'execution-stages',
    headers: [
      '#',
      'Stage',
      'Status',
      'Service',
      'Infrastructure',
      'Artifact',
      'Started · took',
      'Outputs',
      'Error',
      'Log',
    ],
    rowAttrs: (i) => ({ 'data-stage': execution.stages[i].name, testid: 'stage' }),
    rows: execution.stages.map((s) => [
      String(s.position + 1),
      [
        s.name,
        h('div', { class: 'sub' }, s.kind),
        s.firstDeployment ? h('span', { class: 'tag', testid: 'first-deployment' }, 'first deployment') : null,
        s.failureStrategy === 'ignore' ? h('span', { class: 'tag' }, 'failure ignored') : null,
      ],
      statusBadge(s.status),
      s.service?.name ?? '—',
      infrastructureText(s.infrastructure),
      s.artifact ? h('code', { testid: 'stage-artifact' }, s.artifact) : '—',
      [timeElement(s.startedAt), h('div', { class: 'sub' }, formatDuration(s.startedAt, s.finishedAt))],
      outputsNode(s.outputs),
      [
        s.error ? h('span', { class: 'problem' }, s.error) : '',
        s.childJobId
          ? h(
              'div',
              { class: 'sub' },
              h(
                'a',
                { href: `#/jobs/${s.childJobId}`, testid: 'child-job-link' },
                `${childKind} job ${shortId(s.childJobId)}`,
              ),
            )
          : null,
      ],
      h(
        'button',
        { type: 'button', class: 'link', 'aria-label': `Log of stage ${s.name}`, onClick: () => showLog(s.name) },
        'Log',
      ),
    ]),
  });
}
