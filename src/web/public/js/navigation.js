// Hash navigation shared by the pages and the router.

let afterSignIn = '#/branches';

/** Goes to a hash route; re-renders when it is already the current one. */
export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Remembers the page asked for before signing in, and hands it to the sign-in page once. */
export function rememberPageAfterSignIn(hash) {
  afterSignIn = hash;
}

export function pageAfterSignIn() {
  const hash = afterSignIn;
  afterSignIn = '#/branches';
  return hash;
}
