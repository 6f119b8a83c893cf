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
