// One token at a time: under the single-token policy (the deployment's
// SINGLE_TOKEN_PER_OWNER or the owner's own) making a token revokes the
// owner's other live tokens in the same step. The generate and copy
// dialogs name those tokens first, so the person can keep them.
import { q } from './api.js';
import { h } from './dom.js';
import { live, replacing } from './tokenrules.js';

// liveTokens are the owner's tokens that are not revoked: the names a new
// token may not take, and what the policy would revoke.
export async function liveTokens(ctx, owner) {
  const path = owner === ctx.me.owner ? '/tokens' : `/tokens?owner=${q(owner)}`;
  return (await ctx.api.all(path)).items.filter(live);
}

// singleToken reports whether the policy holds for owner, read now: an
// admin may have set it since the person signed in.
async function singleToken(ctx, owner) {
  if (owner === ctx.me.owner) {
    ctx.me.singleToken = (await ctx.api.get('/whoami')).singleToken;
    return ctx.me.singleToken;
  }
  // GET /whoami speaks of the caller's own owner; for another, an admin
  // reads the deployment's setting and that owner's policy.
  if (ctx.config.singleTokenPerOwner) return true;
  return (await ctx.api.get(`/owners/${q(owner)}`)).singleToken;
}

// replaceable is what making a token for owner would revoke: tokens, the
// owner's live ones, when the policy holds; else none.
export async function replaceable(ctx, owner, tokens) {
  if (!tokens.length) return [];
  return (await singleToken(ctx, owner)) ? tokens : [];
}

// replaceWarning says so, beside the button that goes ahead.
export function replaceWarning(victims, id) {
  return h('p', { class: 'warning', id }, h('strong', {}, 'One token at a time. '), replacing(victims));
}
