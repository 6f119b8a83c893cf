/* global document, window, HTMLElement */
// The rich-text editor of the ticket page's reply form and the new-conversation page (Tiptap), bundled into templates/web/assets/editor.js by
// `npm run build:assets`. Progressive enhancement: the page renders the plain reply form (a
// textarea named `text`); this script puts the editor in its place and keeps the form's fields
// filled on every change: `html` (a hidden field it adds) with the editor's HTML and the textarea,
// hidden but still in the form, with a plain-text version. Pasted or dropped images are uploaded to
// the form's `data-upload-url` and go in as `<img src=…>`. A canned reply (drafts.js) goes in
// where the cursor is. Nothing here injects styles: the editor's look is in app.css (CSP `style-src 'self'`).
import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';
import { docToText, safeHref, textToContent } from './plain-text.js';

/** The event drafts.js sends the form to insert a canned reply; handled (default prevented) here. */
const INSERT_TEXT = 'threadline:insert-text';

/** Where an uploaded image may be shown from: our own upload URLs only. */
const UPLOAD_URL = /^\/tickets\/[0-9a-f]{24}\/uploads\/[0-9a-f]{24}$|^\/tickets\/new\/uploads\/[0-9a-f]{24}$/;

/** @param {string} tag @param {Record<string, string>} attrs @param {string} [text] */
function element(tag, attrs, text) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text) el.textContent = text;
  return el;
}

/** @param {HTMLFormElement} form */
function enhance(form) {
  const mount = form.querySelector('.reply-editor');
  const box = form.querySelector('textarea[name="text"]');
  if (!(mount instanceof HTMLElement) || !box) return;
  const strings = mount.dataset;
  const csrf = form.querySelector('input[name="_csrf"]');

  const toolbar = element('div', { class: 'editor-toolbar', role: 'toolbar', 'aria-label': strings.toolbar || '' });
  const area = element('div', { class: 'editor-area' });
  const linkRow = element('div', { class: 'editor-link-row' });
  linkRow.hidden = true;
  const linkInput = element('input', { type: 'text', inputmode: 'url', autocomplete: 'off', 'aria-label': strings.linkUrl || '', placeholder: 'https://' });
  const linkApply = element('button', { type: 'button', class: 'small' }, strings.linkApply || 'OK');
  const linkRemove = element('button', { type: 'button', class: 'small' }, strings.linkRemove || '');
  const linkCancel = element('button', { type: 'button', class: 'small' }, strings.linkCancel || '');
  linkRow.append(linkInput, linkApply, linkRemove, linkCancel);
  const status = element('p', { class: 'muted small editor-status', role: 'status' });
  status.hidden = true;
  const html = element('input', { type: 'hidden', name: 'html', value: '' });
  mount.insertBefore(toolbar, box);
  mount.insertBefore(linkRow, box);
  mount.insertBefore(area, box);
  mount.insertBefore(status, box);
  form.append(html);

  const say = (text) => {
    status.textContent = text || '';
    status.hidden = !text;
  };

  // The draft's HTML when the page has one, else the textarea's text (a draft saved without the editor, a canned reply).
  const fromText = textToContent(box.value);
  const initial = strings.html && strings.html.trim()
    ? strings.html
    : { type: 'doc', content: fromText.length > 0 && fromText[0].type === 'paragraph' ? fromText : [{ type: 'paragraph', content: fromText }] };
  /** @type {Array<{ button: HTMLElement, active: () => boolean }>} */
  let buttons = [];

  // Keeps the form's fields in step with the editor; `input` on the textarea tells drafts.js to autosave.
  const sync = (editor, announce) => {
    const text = docToText(editor.getJSON());
    html.value = editor.isEmpty ? '' : editor.getHTML();
    if (box.value !== text) box.value = text;
    if (announce) box.dispatchEvent(new window.Event('input', { bubbles: true }));
  };

  /** Uploads a pasted or dropped image; the image goes in at `pos` (the cursor when null). */
  const uploadImage = async (editor, file, pos) => {
    const url = form.dataset.uploadUrl;
    if (!url) return say(strings.imageUnavailable);
    say(strings.imageUploading);
    try {
      const body = new FormData();
      body.append('_csrf', csrf ? csrf.value : '');
      // A new conversation's uploads are for the inbox it is written from.
      const inbox = form.querySelector('select[name="inbox"]');
      if (inbox) body.append('inbox', inbox.value);
      body.append('file', file, file.name || 'image.png');
      const res = await window.fetch(url, { method: 'POST', body, credentials: 'same-origin', headers: { accept: 'application/json' } });
      const json = (res.headers.get('content-type') || '').startsWith('application/json') ? await res.json() : null;
      if (res.status !== 201 || !json || typeof json.url !== 'string' || !UPLOAD_URL.test(json.url)) {
        return say((json && json.error && json.error.message) || strings.imageFailed);
      }
      const image = { type: 'image', attrs: { src: json.url, alt: typeof json.filename === 'string' ? json.filename : '' } };
      if (pos === null) editor.chain().focus().insertContent(image).run();
      else editor.chain().focus().insertContentAt(pos, image).run();
      say('');
    } catch {
      say(strings.imageFailed);
    }
  };

  const imagesOf = (transfer) => [...((transfer && transfer.files) || [])].filter((f) => f.type.startsWith('image/'));

  const editor = new Editor({
    element: area,
    injectCSS: false,
    content: initial,
    extensions: [
      StarterKit.configure({
        heading: false,
        horizontalRule: false,
        link: {
          openOnClick: false,
          // Without autolink the link mark is not inclusive: what is typed after a link is not part of it.
          autolink: false,
          linkOnPaste: true,
          defaultProtocol: 'https',
          protocols: [],
          isAllowedUri: (url) => safeHref(url) === url,
          HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: '_blank' },
        },
      }),
      Image.configure({ inline: false, allowBase64: false }),
    ],
    editorProps: {
      attributes: { class: 'reply-editor-content', role: 'textbox', 'aria-multiline': 'true', 'aria-label': box.getAttribute('aria-label') || '' },
      handlePaste: (_view, event) => {
        const files = imagesOf(event.clipboardData);
        if (files.length === 0) return false;
        event.preventDefault();
        for (const f of files) void uploadImage(editor, f, null);
        return true;
      },
      handleDrop: (view, event, _slice, moved) => {
        const files = moved ? [] : imagesOf(event.dataTransfer);
        if (files.length === 0) return false;
        event.preventDefault();
        const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        for (const f of files) void uploadImage(editor, f, at ? at.pos : null);
        return true;
      },
    },
    onUpdate: ({ editor: e }) => sync(e, true),
    onTransaction: () => refresh(),
  });

  /** The toolbar: [name, visible glyph, command, is it active]; each button's label comes from the page (`data-tool-*`). */
  const tools = [
    ['bold', 'B', () => editor.chain().focus().toggleBold().run(), () => editor.isActive('bold')],
    ['italic', 'I', () => editor.chain().focus().toggleItalic().run(), () => editor.isActive('italic')],
    ['bulletList', '•', () => editor.chain().focus().toggleBulletList().run(), () => editor.isActive('bulletList')],
    ['orderedList', '1.', () => editor.chain().focus().toggleOrderedList().run(), () => editor.isActive('orderedList')],
    // No glyph every system draws for a link: its name, underlined (app.css).
    ['link', strings.toolLink || 'Link', () => openLink(), () => editor.isActive('link')],
    ['blockquote', '❝', () => editor.chain().focus().toggleBlockquote().run(), () => editor.isActive('blockquote')],
    ['code', '</>', () => editor.chain().focus().toggleCode().run(), () => editor.isActive('code')],
    ['codeBlock', '{ }', () => editor.chain().focus().toggleCodeBlock().run(), () => editor.isActive('codeBlock')],
  ];
  buttons = tools.map(([name, glyph, run, active]) => {
    const label = strings[`tool${name[0].toUpperCase()}${name.slice(1)}`] || name;
    const button = element('button', { type: 'button', class: `editor-tool tool-${name}`, 'aria-label': label, title: label, 'aria-pressed': 'false' }, glyph);
    // A click keeps the focus (and the selection) in the editor: keys typed right after go to the text, not the button.
    button.addEventListener('mousedown', (e) => e.preventDefault());
    button.addEventListener('click', () => run());
    toolbar.append(button);
    return { button, active };
  });
  function refresh() {
    for (const { button, active } of buttons) button.setAttribute('aria-pressed', String(Boolean(active())));
  }

  function openLink() {
    linkInput.value = editor.getAttributes('link').href || '';
    linkRow.hidden = false;
    linkInput.focus();
  }
  // Back to the text at once (Tiptap's focus command waits a frame: keys typed meanwhile would be lost).
  const backToText = () => {
    editor.view.focus();
    linkRow.hidden = true;
  };
  const closeLink = () => backToText();
  const applyLink = () => {
    const href = safeHref(linkInput.value);
    if (linkInput.value.trim() === '') return removeLink();
    if (!href) {
      say(strings.linkInvalid);
      linkInput.focus();
      return;
    }
    say('');
    const chain = editor.chain().focus().extendMarkRange('link');
    if (editor.state.selection.empty && !editor.isActive('link')) chain.insertContent({ type: 'text', text: href.replace(/^mailto:/i, ''), marks: [{ type: 'link', attrs: { href } }] }).run();
    else chain.setLink({ href }).run();
    backToText();
  };
  const removeLink = () => {
    editor.chain().focus().extendMarkRange('link').unsetLink().run();
    backToText();
  };
  linkApply.addEventListener('click', applyLink);
  linkRemove.addEventListener('click', removeLink);
  linkCancel.addEventListener('click', closeLink);
  // Enter in the address applies it (it must never send the reply); Escape closes the row.
  linkInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      applyLink();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      closeLink();
    }
  });

  // A canned reply from drafts.js: in where the cursor is.
  form.addEventListener(INSERT_TEXT, (e) => {
    const text = e.detail && typeof e.detail.text === 'string' ? e.detail.text : '';
    e.preventDefault();
    editor.view.focus();
    if (text) editor.chain().focus().insertContent(textToContent(text)).run();
  });

  // The textarea stays in the form, hidden: the server always gets `text`. Its `required` would
  // stop the form on a field nobody can see; an empty reply is refused by the server instead.
  box.required = false;
  box.hidden = true;
  mount.classList.add('enhanced');
  form.addEventListener('submit', () => sync(editor, false));
  sync(editor, false);
  refresh();
}

// The reply form, or the new-conversation form: the same editor, the same fields.
const form = document.querySelector('form.reply-form, form.compose-form');
if (form) enhance(form);
