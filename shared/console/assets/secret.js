// The dialog that shows a new secret once (generate, regenerate, copy).
import { dialog, h, replace } from './dom.js';
import { announce } from './notices.js';
import { replacedNotice } from './tokenrules.js';

// secretDialog shows a token's secret once. The secret is moved out of the
// answer into this dialog's DOM and nowhere else; closing the dialog
// removes it. The notice afterwards says what the step also revoked under
// the single-token policy; screen is the route it belongs to (copy moves
// to the new token's page).
export async function secretDialog(issued, title, screen = location.hash) {
  const secret = issued.token;
  delete issued.token;
  await dialog(title, (close) => {
    const value = h('input', { type: 'text', readonly: true, value: secret, class: 'secret', id: 'secret', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'secret-warning' });
    const copied = h('span', { class: 'hint', role: 'status' });
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(value.value);
        replace(copied, 'Copied to the clipboard.');
      } catch {
        value.select();
        replace(copied, 'Copying was refused: the token is selected, press Ctrl+C (⌘C).');
      }
    };
    const download = () => {
      const url = URL.createObjectURL(new Blob([`${value.value}\n`], { type: 'text/plain' }));
      const a = h('a', { href: url, download: `keymint-${issued.name}.txt`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      replace(copied, `Saved as keymint-${issued.name}.txt.`);
    };
    return [
      h('p', { class: 'warning', id: 'secret-warning', role: 'alert' },
        h('strong', {}, 'Copy this token now. '), 'It will not be shown again: keymint keeps only a keyed hash of it. If you lose it, regenerate the token.'),
      h('label', { for: 'secret' }, `Token ${issued.name}`),
      value,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: copy }, 'Copy to clipboard'),
        h('button', { type: 'button', onclick: download }, 'Download'),
        h('button', { type: 'button', onclick: () => close() }, 'Done')),
      copied,
    ];
  });
  const replaced = replacedNotice(issued.replaced);
  announce(`Token ${issued.name} is ready. Its secret is no longer shown.${replaced ? ` ${replaced}` : ''}`, replaced ? 'warn' : 'ok', screen);
}
