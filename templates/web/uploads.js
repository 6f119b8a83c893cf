/* global document, window */
// The reply box's files, loaded under `script-src 'self'` (no inline code, no eval). Each file chosen
// is uploaded at once, with a progress bar, to the form's `data-upload-url` (`_csrf` first, then the
// file); once stored it is listed with a remove button and a hidden `upload` field, and the file
// input is emptied so the file is not sent a second time with the form. A refused file (too large,
// refused by the virus scan) shows the server's message. Without this script the file input is
// posted with the form and the server stores its files the same way.
(() => {
  for (const box of document.querySelectorAll('fieldset.reply-attachments')) {
    const form = box.closest('form[data-upload-url]');
    const input = box.querySelector('input[type="file"]');
    const list = box.querySelector('.upload-list');
    if (!form || !input || !list) continue;
    const csrf = form.querySelector('input[name="_csrf"]');
    let pending = 0;
    // Tells the draft autosave (drafts.js) that the files attached changed.
    const changed = () => form.dispatchEvent(new window.CustomEvent('threadline:uploads-changed', { bubbles: true }));

    function removeButton(item) {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'upload-remove';
      remove.textContent = box.dataset.remove || 'Remove';
      remove.addEventListener('click', () => {
        const attached = item.querySelector('input[name="upload"]');
        item.remove();
        if (attached) changed();
      });
      return remove;
    }

    // Files the page lists already (a saved draft's, a held reply's): ticked boxes without script,
    // here a name with a remove button like a file just uploaded.
    for (const item of list.querySelectorAll('li.upload.done')) {
      const tick = item.querySelector('input[type="checkbox"][name="upload"]');
      const label = tick && tick.closest('label');
      if (!tick || !label) continue;
      const name = document.createElement('span');
      name.className = 'upload-name';
      name.textContent = label.textContent.trim();
      item.dataset.uploadId = tick.value;
      const field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'upload';
      field.value = tick.value;
      label.replaceWith(name, field, ' ', removeButton(item));
    }

    function upload(file) {
      const item = document.createElement('li');
      item.className = 'upload';
      const name = document.createElement('span');
      name.className = 'upload-name';
      name.textContent = file.name;
      const bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', file.name);
      const status = document.createElement('span');
      status.className = 'upload-status muted small';
      status.textContent = box.dataset.uploading || '';
      item.append(name, ' ', bar, ' ', status);
      list.append(item);
      const failed = (message) => {
        item.classList.add('failed');
        bar.remove();
        status.className = 'upload-status cfg-error';
        status.setAttribute('role', 'alert');
        status.textContent = message || box.dataset.failed || '';
        item.append(' ', removeButton(item));
      };
      // Over the per-file limit: said at once, never sent (the server would refuse it the same).
      const max = Number(box.dataset.maxFileBytes || 0);
      if (max > 0 && file.size > max) return failed(box.dataset.tooLarge);

      const body = new window.FormData();
      body.append('_csrf', csrf ? csrf.value : '');
      const inbox = form.querySelector('select[name="inbox"]');
      if (inbox) body.append('inbox', inbox.value);
      body.append('file', file, file.name);
      const xhr = new window.XMLHttpRequest();
      xhr.open('POST', form.dataset.uploadUrl);
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', () => {
        pending--;
        let answer = null;
        try {
          answer = JSON.parse(xhr.responseText);
        } catch {
          answer = null;
        }
        if (xhr.status !== 201 || !answer || !answer.id) return failed(answer && answer.error && answer.error.message);
        bar.value = 100;
        item.classList.add('done');
        item.dataset.uploadId = answer.id;
        status.textContent = box.dataset.done || '';
        const field = document.createElement('input');
        field.type = 'hidden';
        field.name = 'upload';
        field.value = answer.id;
        item.append(field, ' ', removeButton(item));
        changed();
      });
      xhr.addEventListener('error', () => {
        pending--;
        failed(null);
      });
      pending++;
      xhr.send(body);
    }

    input.addEventListener('change', () => {
      const files = [...input.files];
      // Uploaded here: the form itself must not send them again.
      input.value = '';
      for (const file of files) upload(file);
    });
    // A reply sent while a file is still uploading would go without it: wait for the uploads.
    form.addEventListener('submit', (e) => {
      if (pending > 0) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    });
  }
})();
