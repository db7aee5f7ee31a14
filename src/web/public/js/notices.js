// The page-wide alert region (errors, role="alert") and status region (confirmations, role="status").

const alertRegion = () => document.getElementById('alert');
const statusRegion = () => document.getElementById('status');
let flash = null;

/** Shows an error's message (an ApiError carries the server's sentence) as text in the alert region. */
export function showError(error) {
  if (error?.name === 'AbortError') return;
  alertRegion().textContent = error?.message ?? String(error);
}

export function showNotice(text) {
  statusRegion().textContent = text;
}

/** Keeps a message for the next page (shown after the navigation clears this page's messages). */
export function flashAfterNavigation(message) {
  flash = message;
}

/** Clears the previous page's messages and shows the flashed ones. */
export function resetNotices() {
  alertRegion().textContent = flash?.error ?? '';
  statusRegion().textContent = flash?.notice ?? '';
  flash = null;
}
