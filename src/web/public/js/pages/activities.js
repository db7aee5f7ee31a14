import { api } from '../api.js';
import {
  countsSummary,
  emptyState,
  formatDuration,
  h,
  isRunning,
  shortId,
  statusBadge,
  table,
  timeElement,
} from '../dom.js';
import { showError } from '../notices.js';

const REFRESH_MS = 2000;
const PAGE = 50;

/**
 * The branch's Deploy and Rollback jobs, newest first, a page at a time ("Show older jobs" loads the next); the
 * newest page refreshes itself while any shown job is Queued or In Progress.
 */
export function activitiesPanel({ branchId, orgs, signal }) {
  const node = h('div', { 'aria-busy': 'true' }, h('p', { class: 'hint' }, 'Loading…'));
  const orgName = (id) => orgs.find((o) => o.id === id)?.name ?? id;
  let timer = null;
  let newest = [];
  let older = [];
  let nextBefore = null;
  signal.addEventListener('abort', () => clearTimeout(timer));

  const page = (before) =>
    api(`/api/branches/${branchId}/activities?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`, {
      signal,
    });

  function show() {
    const seen = new Set(newest.map((j) => j.id));
    const jobs = [...newest, ...older.filter((j) => !seen.has(j.id))];
    const more = nextBefore
      ? h('button', { type: 'button', testid: 'show-older', onclick: () => void loadOlder() }, 'Show older jobs')
      : null;
    node.replaceChildren(render(jobs, orgName), ...(more ? [more] : []));
    node.setAttribute('aria-busy', 'false');
    clearTimeout(timer);
    if (jobs.some(isRunning)) timer = setTimeout(refresh, REFRESH_MS);
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const first = await page(null);
      newest = first.items;
      if (older.length === 0) nextBefore = first.nextBefore;
      show();
    } catch (error) {
      showError(error);
    }
  }

  async function loadOlder() {
    try {
      const next = await page(nextBefore);
      older = [...older, ...next.items];
      nextBefore = next.nextBefore;
      show();
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
        job.deployJobId
          ? h(
              'div',
              { class: 'sub' },
              'of ',
              h(
                'a',
                { href: `#/jobs/${job.deployJobId}`, testid: 'deploy-link' },
                `Deploy ${shortId(job.deployJobId)}`,
              ),
            )
          : null,
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
