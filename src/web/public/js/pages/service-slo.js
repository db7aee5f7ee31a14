import { api } from '../api.js';
import { emptyState, h, table, timeElement } from '../dom.js';
import { executionLink } from '../executions.js';
import { showError } from '../notices.js';

const OUTCOME_TEXT = {
  rollback: 'Rolled back',
  resolved: 'Resolved',
  repeat: 'Repeat (already decided)',
  'policy-disabled': 'Policy disabled',
  'no-deployment': 'No deployment',
  'not-completed': 'Not Completed',
  'already-rolled-back': 'Already rolled back',
  'before-deployment': 'Started before the deployment',
  'outside-window': 'Outside the rollback window',
  refused: 'Refused by the rollback rules',
};

/**
 * SLO rollback of a service (issue 16), per monitored service (the service on one infrastructure): each SLO with what
 * its last evaluation measured, its rollback policies, and every decision — which alert or evaluation, what was
 * decided and why, and the Rollback it started.
 */
export function sloPanel({ serviceId, signal }) {
  const node = h('div', { 'aria-busy': 'true', testid: 'slo-panel' }, h('p', { class: 'hint' }, 'Loading…'));

  async function load() {
    try {
      const [{ items: monitored }, { items: infrastructures }] = await Promise.all([
        api('/api/monitored-services', { signal }),
        api('/api/infrastructures', { signal }),
      ]);
      const names = new Map(infrastructures.map((i) => [i.id, i.name]));
      const mine = monitored.filter((m) => m.serviceId === serviceId);
      if (mine.length === 0) {
        node.replaceChildren(
          emptyState('This service has no SLO rollback policy yet — see docs/slo-rollback.md to set one up.'),
        );
      } else {
        node.replaceChildren(
          ...(await Promise.all(
            mine.map((m) => monitoredCard(m, names.get(m.infrastructureId) ?? m.infrastructureId)),
          )),
        );
      }
      node.setAttribute('aria-busy', 'false');
    } catch (error) {
      showError(error);
    }
  }

  async function monitoredCard(monitored, infrastructure) {
    const [{ items: slos }, { items: decisions }] = await Promise.all([
      api(`/api/slos?${new URLSearchParams({ monitoredServiceId: monitored.id })}`, { signal }),
      api(`/api/monitored-services/${monitored.id}/decisions?limit=50`, { signal }),
    ]);
    const policies = (
      await Promise.all(
        slos.map((slo) => api(`/api/rollback-policies?${new URLSearchParams({ sloId: slo.id })}`, { signal })),
      )
    ).flatMap((r) => r.items);
    const policyName = new Map(policies.map((p) => [p.id, p.name]));
    return h(
      'section',
      { class: 'card', testid: 'monitored-service', 'data-infrastructure': infrastructure },
      h('h2', {}, `${infrastructure} (${monitored.environment})`),
      slos.map((slo) =>
        sloSummary(
          slo,
          policies.filter((p) => p.sloId === slo.id),
        ),
      ),
      decisions.length
        ? table({
            caption: 'Decisions',
            testid: 'slo-decisions',
            headers: ['When', 'From', 'Policy', 'Decision', 'Why'],
            rowAttrs: (i) => ({ testid: 'slo-decision', 'data-outcome': decisions[i].outcome }),
            rows: decisions.map((d) => [
              timeElement(d.createdAt),
              [
                d.source === 'alertmanager' ? `Alert ${d.details.alertname ?? ''}` : 'Evaluation',
                h('div', { class: 'sub' }, `${d.breachStatus} since `, timeElement(d.startsAt)),
              ],
              policyName.get(d.policyId) ?? '—',
              [
                h('strong', { testid: 'slo-outcome' }, OUTCOME_TEXT[d.outcome] ?? d.outcome),
                d.rollbackJobId
                  ? h('div', { class: 'sub' }, executionLink(d.rollbackJobId, 'Rollback', 'slo-rollback-link'))
                  : d.executionId
                    ? h('div', { class: 'sub' }, 'of ', executionLink(d.executionId, 'Deploy'))
                    : null,
              ],
              h('span', { class: 'sub reason', testid: 'slo-reason' }, d.reason),
            ]),
          })
        : h('p', { class: 'hint' }, 'No decisions yet: no alert or evaluation has breached an SLO here.'),
    );
  }

  void load();
  return { node, refresh: load };
}

/** An SLO's target and last evaluation (SLI, error budget remaining, burn rate) with its policies. */
function sloSummary(slo, policies) {
  const measured = slo.lastEvaluation?.measured;
  const pct = (v, digits) => (v === null || v === undefined ? '—' : `${v.toFixed(digits)} %`);
  return h(
    'div',
    { testid: 'slo', 'data-slo': slo.name },
    h('h3', {}, `${slo.name}: ${slo.targetPercent} % over ${slo.periodDays} days`),
    slo.lastEvaluation?.error
      ? h('p', { class: 'problem' }, `Last evaluation failed: ${slo.lastEvaluation.error}`)
      : h(
          'p',
          { testid: 'slo-measured' },
          measured
            ? `SLI ${pct(measured.sli === null ? null : measured.sli * 100, 3)} · error budget remaining ${pct(measured.errorBudgetRemainingPercent, 1)} · burn rate ${measured.burnRate === null ? '—' : measured.burnRate.toFixed(2)}`
            : 'Not evaluated yet.',
          slo.lastEvaluation ? h('span', { class: 'sub' }, ' (', timeElement(slo.lastEvaluation.at), ')') : null,
        ),
    h(
      'ul',
      { class: 'sub' },
      policies.map((p) =>
        h(
          'li',
          { testid: 'slo-policy' },
          `${p.name}: ${p.method} when ${p.conditionText}, within ${p.windowMinutes} min after a deployment`,
          p.enabled ? '' : ' (disabled)',
        ),
      ),
    ),
  );
}
