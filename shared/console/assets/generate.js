// The generate dialog: issue a token, warned first of what the
// single-token policy will revoke.
import { dialog, h, nextId } from './dom.js';
import { busy, focusInvalid, formAlert, setFieldError, showProblem } from './forms.js';
import { ApiError, q } from './api.js';
import { scopePicker } from './scopepicker.js';
import { held, withinPlan } from './scopeset.js';
import { secretDialog } from './secret.js';
import { liveTokens, replaceWarning, replaceable } from './single.js';
import { replaceLabel } from './tokenrules.js';
import { cidrList, descriptionInput, expiryInput, metadataInput, nameInput } from './tokenfields.js';

// ownerPlan is the plan owner is on, or null when the deployment has no
// plans (one implicit plan grants every scope).
async function ownerPlan(ctx, owner) {
  const plans = await ctx.plans();
  if (plans.items.every((p) => p.allScopes)) return null;
  let name = plans.default;
  if (owner === ctx.me.owner) {
    name = ctx.me.plan ?? name;
  } else {
    try {
      name = (await ctx.api.get(`/owners/${q(owner)}`)).plan;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err; // an owner not seen yet starts on the default
    }
  }
  return plans.items.find((p) => p.name === name) ?? null;
}

// planNote tells what the owner's plan allows, above the scopes.
function planNote(plan, self, owner) {
  if (!plan) return null;
  const whose = self ? 'Your plan' : `${owner}'s plan`;
  const life = (plan.maxLifetimeDays ? ` Tokens last at most ${plan.maxLifetimeDays} days.` : '') +
    (plan.maxLiveTokens ? ` At most ${plan.maxLiveTokens} live tokens.` : '');
  return h('p', { class: 'hint plan-note' }, h('strong', {}, `${whose}: ${plan.name}.`), ` ${plan.description}${life} Scopes it does not grant are shown disabled; an admin can move ${self ? 'you' : owner} to another plan.`);
}

// generateDialog issues a token for owner; it resolves with the issued
// token (without its secret) or undefined when cancelled.
export async function generateDialog(ctx, owner) {
  const self = owner === ctx.me.owner;
  const [catalogue, tokens, plan] = await Promise.all([ctx.scopes(), liveTokens(ctx, owner), ownerPlan(ctx, owner)]);
  const victims = await replaceable(ctx, owner, tokens);
  const grantable = withinPlan(held(ctx.me, catalogue), plan);
  const whyNot = (name) => (plan && !name.startsWith('tokens:') && !plan.scopes.includes(name) ? `not in the ${plan.name} plan` : 'you do not hold this scope');
  // One key per dialog: a retried submit (a timeout, a double click) can
  // never make two tokens.
  const idempotencyKey = crypto.randomUUID();
  const issued = await dialog(self ? 'Generate a token' : `Generate a token for ${owner}`, (close) => {
    const name = nameInput(new Set(tokens.map((t) => t.name)));
    const desc = descriptionInput();
    const expiry = expiryInput(ctx.config);
    const picker = scopePicker(catalogue, grantable, { whyNot });
    const cidrs = cidrList();
    const meta = metadataInput();
    const advanced = h('details', {}, h('summary', {}, 'Advanced'), cidrs.wrap, meta.wrap);
    const warningId = nextId('replacing');
    const submit = h('button', { type: 'submit', class: 'primary', 'aria-describedby': victims.length ? warningId : null },
      victims.length ? replaceLabel('Generate', victims) : 'Generate token');
    const form = h('form', { novalidate: true, class: 'stack' },
      formAlert(), name.wrap, desc.wrap, expiry.el, planNote(plan, self, owner), picker.el,
      advanced,
      victims.length ? replaceWarning(victims, warningId) : null,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => close() }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const okName = name.check(), okDesc = desc.check(), okExpiry = expiry.check(), okMeta = meta.check();
      const scopes = picker.selected();
      setFieldError(picker.el, scopes.length ? '' : 'Pick at least one scope.');
      // A bad pair sits in the closed Advanced section: open it to show it.
      if (!okMeta) advanced.open = true;
      if (!okName || !okDesc || !okExpiry || !okMeta || !scopes.length) {
        focusInvalid(form);
        return;
      }
      const body = { name: name.input.value, scopes, ...expiry.value() };
      if (desc.input.value) body.description = desc.input.value;
      if (cidrs.value().length) body.allowedCidrs = cidrs.value();
      if (Object.keys(meta.value()).length) body.metadata = meta.value();
      if (!self) body.owner = owner;
      try {
        close(await busy(form, () => ctx.api.post('/tokens', body, { 'Idempotency-Key': idempotencyKey })));
      } catch (err) {
        showProblem(form, err, { owner, self });
      }
    });
    return form;
  });
  if (!issued) return undefined;
  await secretDialog(issued, 'Your new token');
  return issued;
}
