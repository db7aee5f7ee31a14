import { api } from '../api.js';
import { reversibilityNode } from '../reversibility.js';
import { showError, showNotice } from '../notices.js';
import {
  countsSummary,
  emptyState,
  formatDuration,
  h,
  isRunning,
  progressBar,
  shortId,
  statusBadge,
  table,
  timeElement,
} from '../dom.js';
import { logPanel } from './job-log.js';

/** A Deploy or Rollback job: summary, progress, per-component results and the log — live while it runs. */
export async function jobPage({ main, params: [jobId], signal }) {
  let job = await api(`/api/jobs/${jobId}`, { signal });
  // An execution of a pipeline (or its rollback) is a job too, with its own page: stages instead of components.
  if (!job.branchId) return location.replace(`#/executions/${jobId}`);
  const [branch, { items: orgs }] = await Promise.all([
    api(`/api/branches/${job.branchId}`, { signal }),
    api('/api/orgs', { signal }),
  ]);
  const org = orgs.find((o) => o.id === job.orgId);

  const heading = h('div', { class: 'title-row' });
  const actions = h('div', { class: 'actions' });
  const summary = h('div', {});
  const results = h('div', {});
  let components = [];

  const log = logPanel({
    jobId,
    components,
    running: isRunning(job),
    signal,
    onStatus: (next) => {
      const changed = next.status !== job.status || next.progress.componentsDone !== job.progress.componentsDone;
      job = next;
      renderSummary();
      if (changed) void loadComponents();
    },
    onEnd: () => void reload(),
  });

  async function loadComponents() {
    components = (await api(`/api/jobs/${jobId}/components`, { signal })).items;
    results.replaceChildren(componentsTable(components, log.showComponent));
    log.setComponents(components);
  }

  async function reload() {
    job = await api(`/api/jobs/${jobId}`, { signal });
    renderSummary();
    await loadComponents();
  }

  function renderSummary() {
    heading.replaceChildren(h('h1', {}, `${job.kind} ${shortId(job.id)}`), statusBadge(job.status));
    summary.replaceChildren(summaryList(job, branch, org), progressBar(job));
    if (job.kind === 'Deploy' && !isRunning(job)) renderRollbackAction().catch(showError);
    else if (isRunning(job)) renderCancelAction();
    else actions.replaceChildren();
  }

  /** Cancel for a Queued or In Progress job: a submitted deploy is canceled in Salesforce, and the outcome recorded. */
  function renderCancelAction() {
    if (job.cancelRequested) {
      actions.replaceChildren(
        h('p', { class: 'hint', testid: 'cancel-requested' }, `Cancel requested by ${job.cancelRequested.by}.`),
      );
      return;
    }
    if (actions.querySelector('[data-testid="cancel-button"]')) return;
    const button = h(
      'button',
      { type: 'button', class: 'button', testid: 'cancel-button', onclick: () => cancelJob(button) },
      'Cancel',
    );
    actions.replaceChildren(button);
  }

  async function cancelJob(button) {
    if (!window.confirm(`Cancel this ${job.kind.toLowerCase()}? A deploy Salesforce is running is canceled there.`))
      return;
    button.disabled = true;
    try {
      job = await api(`/api/jobs/${jobId}/cancel`, { method: 'POST', signal });
      showNotice(
        job.status === 'Exception' ? 'Canceled.' : 'Cancel requested: the job stops and records how it ended.',
      );
      renderSummary();
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
  }

  async function renderRollbackAction() {
    const verdict = await api(`/api/jobs/${jobId}/rollback`, { signal });
    actions.replaceChildren(
      verdict.rollbackable
        ? h('a', { class: 'button primary', href: `#/jobs/${jobId}/rollback`, testid: 'rollback-button' }, 'Rollback')
        : h('p', { class: 'hint', testid: 'not-rollbackable' }, verdict.reason),
    );
  }

  main.append(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/branches' }, 'Branches'),
      ' / ',
      h('a', { href: `#/branches/${branch.id}/activities` }, branch.name),
      ' / ',
    ),
    heading,
    actions,
    summary,
    h('h2', {}, 'Components'),
    results,
    h('h2', {}, 'Log'),
    log.node,
  );
  renderSummary();
  await loadComponents();
}

function summaryList(job, branch, org) {
  const deletions = job.options?.deletions?.length;
  const options = [
    job.options?.checkOnly ? 'check only' : null,
    job.options?.testLevel,
    job.options?.force ? 'force' : null,
    job.options?.deleteRemoved ? 'delete removed' : null,
    deletions ? `${deletions} deletion(s) planned` : null,
  ].filter(Boolean);
  const rows = [
    ['Branch', h('a', { href: `#/branches/${branch.id}/activities` }, branch.name)],
    ['Org', org ? `${org.name} (${org.environment})` : job.orgId],
    ['Revision', job.revision ? `#${job.revision}` : '—'],
    job.deployJobId
      ? [
          'Rolls back',
          h('a', { href: `#/jobs/${job.deployJobId}`, testid: 'deploy-link' }, `Deploy ${shortId(job.deployJobId)}`),
        ]
      : null,
    ['Started by', job.createdBy ?? '—'],
    ['Created', timeElement(job.createdAt)],
    ['Finished', timeElement(job.finishedAt)],
    ['Duration', formatDuration(job.startedAt, job.finishedAt)],
    ['Changes', countsSummary(job)],
    options.length ? ['Options', options.join(', ')] : null,
    job.error ? ['Error', h('span', { class: 'problem', testid: 'job-error' }, job.error)] : null,
    job.problems?.length ? ['Problems', problemList(job.problems)] : null,
    job.manualSteps?.length ? ['Left for a person', manualStepList(job.manualSteps)] : null,
  ];
  return h(
    'dl',
    { class: 'summary', testid: 'job-summary' },
    rows.filter(Boolean).map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
  );
}

/** Problems Salesforce reported for the job as a whole (no component): an unknown folder, a package error. */
function problemList(problems) {
  return h(
    'ul',
    { class: 'problems', testid: 'job-problems' },
    problems.map((p) => {
      const where = p.fileName ? ` (${p.fileName}${p.lineNumber ? `, line ${p.lineNumber}` : ''})` : '';
      const what = p.componentType ? `${p.componentType} ${p.fullName ?? ''}: ` : '';
      const level = p.problemType === 'Warning' ? 'Warning: ' : '';
      return h('li', { class: 'problem' }, `${level}${what}${p.problem}${where}`);
    }),
  );
}

/** What a rollback did not roll back because the API cannot: each component, why, and its checklist. */
function manualStepList(steps) {
  return h(
    'ul',
    { testid: 'manual-steps' },
    steps.map((step) =>
      h(
        'li',
        {},
        `${step.type} ${step.fullName} `,
        reversibilityNode({ label: 'manual', reason: step.reason, checklist: step.checklist }),
      ),
    ),
  );
}

function componentsTable(rows, showLog) {
  if (rows.length === 0) return emptyState('No component results yet.');
  return table({
    caption: 'Per-component results',
    testid: 'job-components',
    headers: ['Type', 'Name', 'Action', 'Status', 'Problem', 'Line', 'Log'],
    rows: rows.map((c) => [
      c.type,
      c.fullName,
      c.action,
      statusBadge(c.status),
      c.problem ? h('span', { class: 'problem' }, c.problem) : '',
      c.lineNumber ? `${c.lineNumber}${c.columnNumber ? `:${c.columnNumber}` : ''}` : '',
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'aria-label': `Log of ${c.type} ${c.fullName}`,
          onClick: () => showLog(`${c.type}:${c.fullName}`),
        },
        'Log',
      ),
    ]),
  });
}
