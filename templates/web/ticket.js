/* global document, window */
// The ticket page's only script, loaded under `script-src 'self'` (no inline code, no eval). Every
// 20 s, and as soon as the agent starts or stops writing a reply, it tells the server whether this
// agent is viewing or replying and shows who else has the ticket open. Without it the page still
// shows presence as of page load.
(() => {
  const box = document.getElementById('presence');
  if (!box) return;
  const reply = document.querySelector('form.reply-form textarea[name="text"]');
  const stateNow = () => (reply && reply.value.trim() !== '' ? 'replying' : 'viewing');
  let sent = 'viewing';

  async function beat() {
    sent = stateNow();
    try {
      const res = await window.fetch(box.dataset.heartbeat, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: box.dataset.csrf, state: sent }).toString(),
      });
      if (!res.ok || !(res.headers.get('content-type') || '').startsWith('application/json')) return;
      const { text } = await res.json();
      box.textContent = text;
      box.hidden = text === '';
    } catch {
      // Offline or the server restarted: the next beat tries again.
    }
  }

  window.setInterval(beat, 20_000);
  if (reply) {
    reply.addEventListener('input', () => {
      if (stateNow() !== sent) void beat();
    });
    // A held reply comes back with its draft in the box: say so at once.
    if (stateNow() !== sent) void beat();
  }
})();

// `@` suggestions in the note box: the people who can see the ticket, as the page lists them
// (#mention-people, shown as a plain list without script). Typing `@` and the start of a handle or
// name offers them; a click, Enter or Tab writes `@handle `; Escape closes the list.
(() => {
  const source = document.getElementById('mention-people');
  const box = document.querySelector('form.note-form textarea[name="text"]');
  if (!source || !box) return;
  const people = [...source.querySelectorAll('li[data-handle]')].map((li) => ({ handle: li.dataset.handle, label: li.dataset.label || li.dataset.handle }));
  if (people.length === 0) return;
  const list = document.createElement('ul');
  list.id = 'mention-suggest';
  list.className = 'mention-suggest';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', source.dataset.suggestionsLabel || '');
  list.hidden = true;
  box.insertAdjacentElement('afterend', list);
  box.setAttribute('aria-controls', list.id);
  box.setAttribute('aria-autocomplete', 'list');
  let shown = [];
  let active = 0;
  let token = null;

  // The `@word` being typed just before the caret, if any (an address such as a@b is not one).
  function currentToken() {
    const before = box.value.slice(0, box.selectionStart);
    const m = /(^|[^\p{L}\p{N}_.+@-])@([\p{L}\p{N}._+-]*)$/u.exec(before);
    return m ? { start: before.length - m[2].length - 1, query: m[2].toLowerCase() } : null;
  }

  function close() {
    list.hidden = true;
    shown = [];
    box.removeAttribute('aria-activedescendant');
  }

  function render() {
    list.textContent = '';
    shown.forEach((p, i) => {
      const li = document.createElement('li');
      li.id = `mention-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.textContent = `${p.label} `;
      const handle = document.createElement('span');
      handle.className = 'muted';
      handle.textContent = `@${p.handle}`;
      li.append(handle);
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        choose(i);
      });
      list.append(li);
    });
    list.hidden = shown.length === 0;
    if (shown.length > 0) box.setAttribute('aria-activedescendant', `mention-option-${active}`);
  }

  function update() {
    token = currentToken();
    if (!token) return close();
    const q = token.query;
    shown = people.filter((p) => p.handle.toLowerCase().startsWith(q) || p.label.toLowerCase().split(/\s+/).some((w) => w.startsWith(q))).slice(0, 8);
    active = 0;
    render();
  }

  function choose(i) {
    const p = shown[i];
    if (!p || !token) return;
    const end = box.selectionStart;
    const text = `@${p.handle} `;
    box.value = box.value.slice(0, token.start) + text + box.value.slice(end);
    const caret = token.start + text.length;
    box.setSelectionRange(caret, caret);
    box.focus();
    close();
  }

  box.addEventListener('input', update);
  box.addEventListener('blur', close);
  box.addEventListener('keydown', (e) => {
    if (list.hidden || shown.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
})();
