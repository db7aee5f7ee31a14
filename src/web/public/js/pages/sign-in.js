import { api, session } from '../api.js';
import { h } from '../dom.js';
import { navigate, pageAfterSignIn } from '../navigation.js';
import { showError } from '../notices.js';

/** Asks for an API token, checks it against the API, keeps it for this browser tab only. */
export async function signInPage({ main }) {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const form = h(
    'form',
    { class: 'card narrow', testid: 'sign-in-form' },
    h('h1', {}, 'Sign in to Backtrack'),
    h(
      'p',
      { class: 'hint' },
      'Paste an API token. The service prints a bootstrap admin token on its first start (or uses BACKTRACK_ADMIN_TOKEN). The token stays in this browser tab only.',
    ),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'API token'), input),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    try {
      await api('/api/orgs', { token });
      session.signIn(token);
      navigate(pageAfterSignIn());
    } catch (error) {
      showError(error);
    }
  });
  main.append(form);
  input.focus();
}
