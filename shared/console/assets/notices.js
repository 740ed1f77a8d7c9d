// The status line (#live, a polite live region): what the last action did,
// for sighted users and screen readers alike. A notice belongs to the
// screen and the action that made it: it stays until the route moves to
// another screen, the next action starts, or the person signs out, and is
// never left beside something it is not about.

const line = () => document.getElementById('live');

// announce shows message as the notice of screen (a route's hash; the
// current one unless an action moves the page elsewhere).
export function announce(message, kind = 'ok', screen = location.hash) {
  const live = line();
  live.className = `live ${kind}`;
  live.dataset.screen = screen;
  live.textContent = message;
}

// clearNotice removes the notice, whatever screen it was for.
export function clearNotice() {
  const live = line();
  live.className = 'live';
  delete live.dataset.screen;
  live.textContent = '';
}

// keepOnlyFor clears a notice that is not about the screen at hash.
export function keepOnlyFor(hash) {
  if (line().dataset.screen !== hash) clearNotice();
}
