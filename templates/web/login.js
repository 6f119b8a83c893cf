/* global document */
// The sign-in page's only script, loaded under `script-src 'self'` (no inline code). It reports the
// browser's time zone with the form, so a user without one gets theirs at first sign-in. Without
// it (or on a browser that cannot say) the field stays empty and the server keeps UTC.
(() => {
  const field = document.querySelector('form input[name="timeZone"]');
  if (!field) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    // An old browser: nothing to report.
  }
})();
