// The single-page app: hash routes (#/branches/…), the sign-in gate, and page lifecycles. A page is an async
// function ({main, params, signal}) that fills `main`; `signal` aborts its timers and streams when the user leaves.
import { session, UNAUTHORIZED_EVENT } from './api.js';
import { navigate, rememberPageAfterSignIn } from './navigation.js';
import { flashAfterNavigation, resetNotices, showError } from './notices.js';
import { branchPage } from './pages/branch.js';
import { branchesPage } from './pages/branches.js';
import { executionPage } from './pages/execution.js';
import { executionsPage } from './pages/executions.js';
import { jobPage } from './pages/job.js';
import { orgsPage } from './pages/orgs.js';
import { pipelinePage } from './pages/pipeline.js';
import { pipelinesPage } from './pages/pipelines.js';
import { rollbackPage } from './pages/rollback.js';
import { servicePage } from './pages/service.js';
import { servicesPage } from './pages/services.js';
import { signInPage } from './pages/sign-in.js';

const ROUTES = [
  { pattern: /^\/sign-in$/, page: signInPage, section: null },
  { pattern: /^\/orgs$/, page: orgsPage, section: 'orgs' },
  { pattern: /^\/branches$/, page: branchesPage, section: 'branches' },
  { pattern: /^\/branches\/([^/]+)(?:\/(activities|components))?$/, page: branchPage, section: 'branches' },
  { pattern: /^\/jobs\/([^/]+)\/rollback$/, page: rollbackPage, section: 'branches' },
  { pattern: /^\/jobs\/([^/]+)$/, page: jobPage, section: 'branches' },
  { pattern: /^\/services$/, page: servicesPage, section: 'services' },
  { pattern: /^\/services\/([^/]+)(?:\/(instances|activities|slo))?$/, page: servicePage, section: 'services' },
  { pattern: /^\/pipelines$/, page: pipelinesPage, section: 'pipelines' },
  { pattern: /^\/pipelines\/([^/]+)(?:\/(activities|definition))?$/, page: pipelinePage, section: 'pipelines' },
  { pattern: /^\/executions(?:\?(.*))?$/, page: executionsPage, section: 'executions' },
  { pattern: /^\/executions\/([^/?]+)$/, page: executionPage, section: 'executions' },
];

let current = new AbortController();

async function route() {
  const path = location.hash.slice(1) || '/branches';
  if (!path.startsWith('/')) return; // an in-page anchor such as the skip link
  if (path === '/sign-out') {
    session.signOut();
    flashAfterNavigation({ notice: 'Signed out.' });
    return navigate('#/sign-in');
  }
  if (!session.token && path !== '/sign-in') {
    rememberPageAfterSignIn(`#${path}`);
    return navigate('#/sign-in');
  }
  const match = ROUTES.map((r) => ({ ...r, params: r.pattern.exec(path)?.slice(1) })).find((r) => r.params);
  if (!match) return navigate('#/branches');

  current.abort();
  current = new AbortController();
  const { signal } = current;
  resetNotices();
  document.getElementById('nav').hidden = !session.token;
  for (const link of document.querySelectorAll('#nav a[data-section]')) {
    if (link.dataset.section === match.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('main');
  main.replaceChildren();
  try {
    await match.page({ main, params: match.params, signal });
  } catch (error) {
    if (!signal.aborted) showError(error);
  }
}

window.addEventListener(UNAUTHORIZED_EVENT, (event) => {
  session.signOut();
  flashAfterNavigation({ error: `${event.detail.message} Sign in with a valid API token.` });
  navigate('#/sign-in');
});
window.addEventListener('hashchange', () => void route());
void route();
