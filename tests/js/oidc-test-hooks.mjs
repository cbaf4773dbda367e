// Test-only middleware for the oidc-provider launcher: request statistics and the headless 'auto' interaction.

import querystring from 'node:querystring';

/** Counters a test reads from GET /__test/stats (and clears with POST /__test/reset). */
export function createStats() {
  return {
    requests: {},           // "METHOD /path" -> count, for every request
    token: {},              // grant_type -> count of token endpoint requests
    tokenErrors: {},        // grant_type -> count of token endpoint requests answered with an error
    grantErrors: [],        // { error, detail } from oidc-provider's grant.error events (the real reason)
    refreshReplays: 0,      // used refresh tokens presented again (the grant was revoked)
    grantsRevoked: 0,       // grants revoked, by replay detection or by revocation
    revocations: 0,         // successful requests to the revocation endpoint (RFC 7009)
    introspections: 0,      // requests to the introspection endpoint (RFC 7662)
    registrations: 0,       // successful dynamic client registrations (RFC 7591)
    authorizations: 0,      // authorization responses sent back to a client
    clientAuthRejections: 0, // requests refused by strict client authentication (oidc-strict-auth.mjs)
    refreshAnswersLost: 0,  // refresh_token grants answered 200 whose client hung up before the answer was sent
  };
}

/** Subscribes to the provider's events that tests need to count. */
export function countEvents(provider, stats, log) {
  provider.on('grant.error', (ctx, err) => {
    const detail = err.error_detail ?? err.message;
    stats.grantErrors.push({ error: err.error, detail });
    if (detail === 'refresh token already used') stats.refreshReplays += 1;
    log({ event: 'grant.error', error: err.error, detail });
  });
  provider.on('grant.revoked', () => { stats.grantsRevoked += 1; });
  provider.on('registration_create.success', () => { stats.registrations += 1; });
  provider.on('authorization.success', () => { stats.authorizations += 1; });
  provider.on('server_error', (ctx, err) => log({ event: 'server_error', message: err.message }));
}

/** Koa middleware counting requests per endpoint, and token requests per grant type. */
export function countRequests(stats, routes) {
  return async (ctx, next) => {
    const path = ctx.path.replace(/^\/(interaction|auth|reg)\/[^/]+/, '/$1/:id');
    const key = `${ctx.method} ${path}`;
    stats.requests[key] = (stats.requests[key] ?? 0) + 1;
    try {
      await next();
    } finally {
      if (ctx.method === 'POST' && ctx.path === routes.token) {
        const form = typeof ctx.request.body === 'string' ? querystring.parse(ctx.request.body) : {};
        const grantType = ctx.oidc?.params?.grant_type ?? form.grant_type ?? '(none)';
        stats.token[grantType] = (stats.token[grantType] ?? 0) + 1;
        if (ctx.status >= 400) stats.tokenErrors[grantType] = (stats.tokenErrors[grantType] ?? 0) + 1;
      }
      if (ctx.method === 'POST' && ctx.path === routes.revocation && ctx.status === 200) stats.revocations += 1;
      if (ctx.method === 'POST' && ctx.path === routes.introspection) stats.introspections += 1;
    }
  };
}

/**
 * Koa middleware that holds each refresh_token grant's answer for a random time in [min, max] ms after the provider
 * rotated the token (the slow authorization server a gateway meets), and counts answers whose client was gone by then.
 */
export function delayRefreshAnswers(stats, routes, [min, max]) {
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== routes.token || ctx.oidc?.params?.grant_type !== 'refresh_token') return;
    if (ctx.status === 200) {
      ctx.res.once('close', () => { if (!ctx.res.writableFinished) stats.refreshAnswersLost += 1; });
    }
    await new Promise((resolve) => { setTimeout(resolve, min + Math.random() * (max - min)); });
  };
}

async function consentGrant(provider, details) {
  const { prompt: { details: missing }, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  for (const detail of missing.rar ?? []) grant.addRar(detail);
  return grant.save();
}

/**
 * Koa middleware for 'auto' mode: GET /interaction/:uid logs in the fixed test account, or consents to everything
 * asked, and answers 303 back to the authorization endpoint. A client with a cookie jar that follows redirects
 * reaches its redirect URI without any page.
 */
export function autoInteraction(provider, accountId) {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === 'login') {
      result = { login: { accountId } };
    } else if (details.prompt.name === 'consent') {
      result = { consent: { grantId: await consentGrant(provider, details) } };
    } else {
      result = { error: 'access_denied', error_description: `unexpected prompt ${details.prompt.name}` };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };
}
