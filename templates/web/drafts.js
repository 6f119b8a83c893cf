/* global document, window */
// The reply box's draft, loaded under `script-src 'self'` (no inline code, no eval). A few seconds
// after the agent stops typing, the reply (text and Cc) is saved as their draft on the server, where
// a reload or another device finds it; "Draft saved" says so. Picking a canned reply inserts it where
// the cursor is instead of reloading the page. Without this script the form's "Save draft" button
// saves, and the canned reply picker reloads the page with the reply added after the saved draft.
(() => {
  const form = document.querySelector('form.reply-form[data-draft-url]');
  const box = form && form.querySelector('textarea[name="text"]');
  if (!form || !box) return;
  const status = form.querySelector('.draft-status');
  const csrf = form.querySelector('input[name="_csrf"]');
  const AUTOSAVE_MS = 2000;
  let timer = null;
  let sending = false;

  function say(text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = text === '';
  }

  async function save() {
    timer = null;
    const body = new URLSearchParams({ _csrf: csrf ? csrf.value : '', text: box.value });
    if (form.querySelector('input[name="recipientsShown"]')) {
      body.set('recipientsShown', '1');
      for (const cc of form.querySelectorAll('input[name="cc"]:checked')) body.append('cc', cc.value);
    }
    try {
      const res = await window.fetch(form.dataset.draftUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
      });
      if (sending) return;
      if (!res.ok || !(res.headers.get('content-type') || '').startsWith('application/json')) return say(form.dataset.draftFailed || '');
      const { text } = await res.json();
      say(text);
    } catch {
      if (!sending) say(form.dataset.draftFailed || '');
    }
  }

  function changed() {
    if (sending) return;
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, AUTOSAVE_MS);
  }

  box.addEventListener('input', changed);
  form.addEventListener('change', (e) => {
    if (e.target && e.target.name === 'cc') changed();
  });
  // Sending (or saving by the button) takes over: no autosave may land after it and bring the draft back.
  form.addEventListener('submit', () => {
    sending = true;
    if (timer) window.clearTimeout(timer);
    timer = null;
  });

  const picker = document.querySelector('form.canned-picker[data-canned-url]');
  const select = picker && picker.querySelector('select[name="canned"]');
  if (!picker || !select) return;
  picker.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const res = await window.fetch(`${picker.dataset.cannedUrl}?${new URLSearchParams({ canned: select.value })}`, {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      if (!res.ok || !(res.headers.get('content-type') || '').startsWith('application/json')) throw new Error('unavailable');
      const { text } = await res.json();
      const start = box.selectionStart ?? box.value.length;
      const end = box.selectionEnd ?? start;
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      const caret = start + text.length;
      box.focus();
      box.setSelectionRange(caret, caret);
      box.dispatchEvent(new window.Event('input', { bubbles: true }));
    } catch {
      // The server could not fill it in here: fall back to the page (the saved draft stays).
      picker.submit();
    }
  });
})();
