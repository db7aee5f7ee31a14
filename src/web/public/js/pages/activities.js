import { api } from '../api.js';
import { countsSummary, emptyState, formatDuration, h, isRunning, shortId, statusBadge, table, timeElement } from '../dom.js';
import { showError } from '../notices.js';

const REFRESH_MS = 2000;

/** The branch's Deploy and Rollback jobs, newest first; refreshes itself while any job is Queued or In Progress. */
export function activitiesPanel({ branchId, orgs, signal }) {
  const node = h('div', { 'aria-busy': 'true' }, h('p', { class: 'hint' }, 'Loading…'));
  const orgName = (id) => orgs.find((o) => o.id === id)?.name ?? id;
  let timer = null;
  signal.addEventListener('abort', () => clearTimeout(timer));

  async function refresh() {
    clearTimeout(timer);
    try {
      const { items } = await api(`/api/branches/${branchId}/activities?limit=100`, { signal });
      node.replaceChildren(render(items, orgName));
      node.setAttribute('aria-busy', 'false');
      if (items.some(isRunning)) timer = setTimeout(refresh, REFRESH_MS);
    } catch (error) {
      showError(error);
    }
  }
  void refresh();
  return { node, refresh };
}

function render(jobs, orgName) {
  if (jobs.length === 0) return emptyState('No jobs yet — deploy a revision.');
  return table({
    caption: 'Activities',
    testid: 'activities-table',
    headers: ['Job', 'Status', 'Revision', 'Org', 'Changes', 'Started by', 'Created', 'Duration'],
    rowAttrs: (i) => ({ 'data-job-id': jobs[i].id, 'data-kind': jobs[i].kind, testid: 'activity' }),
    rows: jobs.map((job) => [
      [
        h('a', { href: `#/jobs/${job.id}`, class: 'job-link' }, `${job.kind} ${shortId(job.id)}`),
        job.options?.checkOnly ? h('span', { class: 'tag' }, 'check only') : null,
        job.deployJobId ? h('div', { class: 'sub' }, 'of ', h('a', { href: `#/jobs/${job.deployJobId}`, testid: 'deploy-link' }, `Deploy ${shortId(job.deployJobId)}`)) : null,
      ],
      statusBadge(job.status),
      job.revision ? `#${job.revision}` : '—',
      orgName(job.orgId),
      countsSummary(job),
      job.createdBy ?? '—',
      timeElement(job.createdAt),
      formatDuration(job.startedAt, job.finishedAt),
    ]),
  });
}
