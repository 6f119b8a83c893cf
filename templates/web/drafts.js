/* global document, window */
// The reply box's draft, loaded under `script-src 'self'` (no inline code, no eval). A few seconds
// after the agent stops typing, the reply (text, HTML, To, Cc, Bcc and the attached files) is saved as their draft on the server, where
// a reload or another device finds it; "Draft saved" says so. Picking a canned reply inserts it where
// the cursor is (in the reply editor when it runs) instead of reloading the page. Without this script the form's "Save draft" button
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
    // The reply editor (assets/editor.js) keeps its HTML in the form's `html` field, the text in the box.
    const html = form.querySelector('input[name="html"]');
    if (html && html.value) body.set('html', html.value);
    if (form.querySelector('input[name="recipientsShown"]')) {
      body.set('recipientsShown', '1');
      // The ticked Cc boxes and the typed Cc field (the server keeps the typed addresses that are complete).
      for (const cc of form.querySelectorAll('input[name="cc"]:checked, input[type="text"][name="cc"]')) if (cc.value.trim()) body.append('cc', cc.value);
      // The typed To and Bcc, as typed.
      for (const name of ['to', 'bcc']) {
        const field = form.querySelector(`input[type="text"][name="${name}"]`);
        if (field) body.set(name, field.value);
      }
    }
    // The files attached (uploads.js: a hidden field per uploaded file, or a ticked box for one listed by the page).
    for (const upload of form.querySelectorAll('input[type="hidden"][name="upload"], input[type="checkbox"][name="upload"]:checked')) body.append('upload', upload.value);
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
    if (e.target && ['to', 'cc', 'bcc', 'upload'].includes(e.target.name)) changed();
  });
  // uploads.js says when a file was attached or removed.
  form.addEventListener('threadline:uploads-changed', changed);
  // Sending (or saving by the button) takes over: no autosave may land after it and bring the draft back.
  form.addEventListener('submit', () => {
    sending = true;
    if (timer) window.clearTimeout(timer);
    timer = null;
  });

  // The canned reply picker and the matching articles' "Insert link" fetch their text and insert it
  // where the cursor is; without script (or when the fetch fails) their form reloads the page instead.
  const pickers = [
    { form: document.querySelector('form.canned-picker[data-canned-url]'), url: 'cannedUrl', field: 'canned' },
    { form: document.querySelector('form.kb-link-picker[data-kb-link-url]'), url: 'kbLinkUrl', field: 'kbArticle' },
  ];
  for (const { form: picker, url, field } of pickers) {
    const select = picker && picker.querySelector(`select[name="${field}"]`);
    if (!picker || !select) continue;
    picker.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const res = await window.fetch(`${picker.dataset[url]}?${new URLSearchParams({ [field]: select.value })}`, {
          credentials: 'same-origin',
          headers: { accept: 'application/json' },
        });
        if (!res.ok || !(res.headers.get('content-type') || '').startsWith('application/json')) throw new Error('unavailable');
        const { text } = await res.json();
        // The reply editor, when there is one, puts it in where its cursor is (and cancels the event).
        const insert = new window.CustomEvent('threadline:insert-text', { detail: { text }, cancelable: true });
        if (!form.dispatchEvent(insert)) return;
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
  }
})();
