// Strict client authentication for the test server. oidc-provider accepts client_secret_basic and client_secret_post
// interchangeably, and client_id in the body next to HTTP Basic; strict servers (Keycloak, Okta, Notion) refuse both.
// This middleware refuses them too, so tests catch a client that does not use its registered method (RFC 7591 §2,
// token_endpoint_auth_method; RFC 6749 §2.3.1).

import querystring from 'node:querystring';

const LIMIT = 56 * 1024;

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > LIMIT) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function basicClientId(authorization) {
  const [scheme, value] = (authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  try {
    return colon < 0 ? undefined : decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined; // oidc-provider answers the malformed header itself
  }
}

function refuse(ctx, stats, status, error, description) {
  stats.clientAuthRejections += 1;
  ctx.status = status;
  ctx.body = { error, error_description: description };
}

/**
 * Koa middleware for the endpoints that authenticate clients. Reads the form body itself (oidc-provider then takes
 * the parsed body from ctx.request.body) and refuses: HTTP Basic together with client_id in the body; a secret sent
 * in the body by a client registered for client_secret_basic; HTTP Basic from a client registered for
 * client_secret_post.
 */
export function strictClientAuth(provider, stats, paths) {
  const guarded = new Set(paths);
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !guarded.has(ctx.path) || !ctx.is('application/x-www-form-urlencoded')) return next();
    const raw = await readForm(ctx.req);
    ctx.request.body = raw;
    const form = querystring.parse(raw);
    const basicId = basicClientId(ctx.headers.authorization);
    if (basicId !== undefined && form.client_id !== undefined) {
      return refuse(ctx, stats, 400, 'invalid_request', 'client_id must not be sent in the body with HTTP Basic authentication');
    }
    const client = await provider.Client.find(basicId ?? form.client_id ?? '');
    const method = client?.clientAuthMethod;
    if (method === 'client_secret_basic' && form.client_secret !== undefined) {
      return refuse(ctx, stats, 401, 'invalid_client', 'client registered for client_secret_basic sent its secret in the body');
    }
    if (method === 'client_secret_post' && basicId !== undefined) {
      return refuse(ctx, stats, 401, 'invalid_client', 'client registered for client_secret_post used HTTP Basic');
    }
    return next();
  };
}
