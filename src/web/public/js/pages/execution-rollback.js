import { api, ApiError } from '../api.js';
import { h, shortId } from '../dom.js';
import { isDriftRefusal } from '../executions.js';

/**
 * Asks before rolling an execution back: a dialog listing what each stage's rollback does (in the order they run,
 * "delete what the first deployment created" included), read from GET /api/executions/:id/rollback. "Force" appears
 * only after a drift refusal (`offerForce`, or a 409 naming drift). Resolves with the Rollback execution once the
 * server accepted it, or null when the person cancels.
 */
export async function confirmRollback({ executionId, offerForce = false, driftMessage = null, signal }) {
  const plan = await api(`/api/executions/${executionId}/rollback`, { signal });
  return new Promise((resolve) => {
    const problem = h('p', { class: 'problem', role: 'alert', testid: 'rollback-dialog-error' });
    const forceBox = h('input', { id: 'rollback-force', type: 'checkbox', testid: 'rollback-force' });
    const force = h(
      'div',
      { class: 'check', hidden: !offerForce },
      forceBox,
      h(
        'label',
        { for: 'rollback-force' },
        'Force: roll back even though the live state changed since the execution (what changed is overwritten)',
      ),
    );
    if (driftMessage) problem.textContent = driftMessage;
    const confirm = h(
      'button',
      { type: 'submit', class: 'primary', testid: 'confirm-rollback', disabled: !plan.available },
      'Roll back',
    );
    const cancel = h('button', { type: 'button', testid: 'cancel-rollback' }, 'Cancel');
    const title = `Roll back execution ${shortId(executionId)}?`;
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'rollback-dialog-title' }, title),
      plan.available
        ? [
            h('p', {}, 'Backtrack rolls back these stages, in this order, from what the execution recorded:'),
            h(
              'ol',
              { class: 'plan', testid: 'rollback-plan' },
              plan.stages.map((s) =>
                h('li', { 'data-stage': s.name }, h('strong', {}, s.name), ` (${s.kind}): `, s.action),
              ),
            ),
          ]
        : h('p', { testid: 'rollback-unavailable' }, plan.reason),
      problem,
      force,
      h('div', { class: 'actions' }, confirm, ' ', cancel),
    );
    const dialog = h(
      'dialog',
      { class: 'card dialog', 'aria-labelledby': 'rollback-dialog-title', testid: 'rollback-dialog' },
      form,
    );
    const close = (result) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    cancel.addEventListener('click', () => close(null));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(null);
    });
    signal.addEventListener('abort', () => close(null), { once: true });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      problem.textContent = '';
      try {
        const rollback = await api(`/api/executions/${executionId}/rollback`, {
          method: 'POST',
          json: { force: forceBox.checked },
          signal,
        });
        close(rollback);
      } catch (error) {
        confirm.disabled = false;
        problem.textContent = error.message;
        if (error instanceof ApiError && error.status === 409 && isDriftRefusal(error.message)) force.hidden = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    (plan.available ? confirm : cancel).focus();
  });
}
