/* global document, window */
// Keyboard shortcuts of every signed-in page, loaded under `script-src 'self'` (no inline code).
// Ticket list: j/k select the next/previous ticket (its link takes the focus), Enter opens it, `/` goes
// to the search box, x ticks or unticks the selected ticket's box (bulk changes). Ticket page: r reply, n note, a assignee, e sets the status form to solved and
// moves to its Save button (nothing is sent until the agent confirms). Everywhere: `?` opens the help
// (#shortcuts-help, rendered by the layout in the page's language); Escape closes it. Keys typed in a
// field, or with Ctrl, Alt or Meta held, are left alone. Without this script the pages work as before.
(() => {
  const help = document.getElementById('shortcuts-help');
  const SELECTED = 'kb-selected';

  // A row's checkbox is not a field one types in: j, k and x still work from it.
  const typing = (el) =>
    el instanceof window.HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
    && !(el instanceof window.HTMLInputElement && el.type === 'checkbox' && el.name === 'ids');

  /** The ticket list's rows, each with the link that opens its ticket. */
  const rows = () =>
    [...document.querySelectorAll('table.tickets tbody tr')]
      .map((row) => ({ row, link: row.querySelector('td.subject a[href^="/tickets/"]') }))
      .filter((r) => r.link);

  function select(step) {
    const list = rows();
    if (list.length === 0) return false;
    let at = list.findIndex((r) => r.row.classList.contains(SELECTED));
    // A row the agent tabbed or clicked into counts as the current one.
    const focused = list.findIndex((r) => r.row.contains(document.activeElement));
    if (focused >= 0) at = focused;
    const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    for (const r of list) {
      r.row.classList.remove(SELECTED);
      r.row.removeAttribute('aria-current');
    }
    list[next].row.classList.add(SELECTED);
    list[next].row.setAttribute('aria-current', 'true');
    list[next].link.focus();
    return true;
  }

  function openSelected() {
    const chosen = rows().find((r) => r.row.classList.contains(SELECTED));
    // A focused link or button answers Enter itself; only a selection the focus left needs our help.
    const focus = document.activeElement;
    if (!chosen || (focus && focus !== document.body && !focus.matches('main, table.tickets'))) return false;
    chosen.link.click();
    return true;
  }

  /** Ticks or unticks the box of the selected (or focused) row; `change` tells the bulk bar (bulk.js). */
  function toggleSelected() {
    const list = rows();
    const row = list.find((r) => r.row.contains(document.activeElement)) || list.find((r) => r.row.classList.contains(SELECTED));
    const box = row && row.row.querySelector('input[type="checkbox"][name="ids"]');
    if (!box) return false;
    box.checked = !box.checked;
    box.dispatchEvent(new window.Event('change', { bubbles: true }));
    return true;
  }

  function focusOn(selector) {
    const el = document.querySelector(selector);
    if (!el) return false;
    el.focus();
    return true;
  }

  function solve() {
    const form = document.querySelector('form[action$="/update"]');
    const status = form && form.querySelector('select[name="status"]');
    const save = form && form.querySelector('button[type="submit"]');
    if (!status || !save || ![...status.options].some((o) => o.value === 'solved')) return false;
    status.value = 'solved';
    status.dispatchEvent(new window.Event('change', { bubbles: true }));
    save.focus();
    return true;
  }

  function toggleHelp() {
    if (!help || typeof help.showModal !== 'function') return false;
    if (help.open) help.close();
    else help.showModal();
    return true;
  }

  const actions = {
    j: () => select(1),
    k: () => select(-1),
    Enter: openSelected,
    '/': () => focusOn('form.filters input[name="q"]'),
    x: toggleSelected,
    // The reply editor (assets/editor.js) when it runs, else the plain reply box.
    r: () => focusOn('form.reply-form .reply-editor-content') || focusOn('form.reply-form textarea[name="text"]'),
    n: () => focusOn('form.note-form textarea[name="text"]'),
    a: () => focusOn('form[action$="/update"] select[name="assigneeId"]'),
    e: solve,
    '?': toggleHelp,
  };

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (typing(event.target)) return;
    // While the help is open only `?` (and the dialog's own Escape) act.
    if (help && help.open && event.key !== '?') return;
    const action = Object.hasOwn(actions, event.key) ? actions[event.key] : null;
    if (action && action()) event.preventDefault();
  });

  if (help) {
    const close = help.querySelector('[data-close-help]');
    if (close) close.addEventListener('click', () => help.close());
  }
})();
