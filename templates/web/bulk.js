/* global document, window */
// The ticket list's bulk bar, loaded under `script-src 'self'` (no inline code): a "select all on this
// page" box in the table's header, and only the value control of the chosen action shown. Without this
// script every control stays visible and the form works the same.
(() => {
  const form = document.querySelector('form.bulk');
  if (!form) return;
  const all = form.querySelector('input[data-select-all]');
  const boxes = () => [...form.querySelectorAll('input[type="checkbox"][name="ids"]')];
  const chosen = form.querySelector('select[name="action"]');
  const controls = [...form.querySelectorAll('[data-bulk-for]')];

  /** The header box follows the rows: ticked when all are, mixed when some are. */
  function syncAll() {
    if (!all) return;
    const list = boxes();
    const ticked = list.filter((b) => b.checked).length;
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  }

  /** Shows the value control(s) of the chosen action; the others are hidden (and not focusable). */
  function showValue() {
    const action = chosen ? chosen.value : '';
    for (const control of controls) control.hidden = !control.getAttribute('data-bulk-for').split(' ').includes(action);
  }

  if (all) {
    all.hidden = false;
    all.addEventListener('change', () => {
      for (const box of boxes()) box.checked = all.checked;
      syncAll();
    });
  }
  // `change` bubbles: a click, Space, or the `x` shortcut (which dispatches it) on a row's box.
  form.addEventListener('change', (event) => {
    if (event.target instanceof window.HTMLInputElement && event.target.name === 'ids') syncAll();
  });
  if (chosen) chosen.addEventListener('change', showValue);
  showValue();
  syncAll();
})();
