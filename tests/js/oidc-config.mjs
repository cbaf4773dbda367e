// Turns the test configuration (a small JSON object) into an oidc-provider 9 configuration.
// Every option here exists so an integration test can reach one protocol behaviour on a real server.

import { errors } from 'oidc-provider';
import { createMapAdapter } from './oidc-map-adapter.mjs';

/** The test configuration's defaults. Every field can be overridden by the JSON the launcher receives. */
export const defaults = Object.freeze({
  interaction: 'auto',            // 'auto': log in and consent at once (headless); 'html': devInteractions pages
  accountId: 'test-user',         // the account 'auto' mode logs in
  scopes: 'mcp:read mcp:write',   // scopes of every resource server (RFC 8707 resource indicator)
  extraScopes: [],                // more scopes usable without a resource indicator
  accessTokenFormat: 'opaque',    // 'opaque' or 'jwt' (oidc-provider refuses to introspect JWTs: unsupported_token_type)
  accessTokenTtl: 3600,           // seconds
  refreshTokenTtl: 14 * 24 * 3600,
  rotateRefreshToken: true,       // a used refresh token replayed revokes the whole grant
  refreshDelayMs: null,           // [min, max]: hold each refresh_token answer that long, after rotating
  requirePkce: true,              // S256 is the only method oidc-provider 9 supports
  registration: true,             // open dynamic client registration (RFC 7591)
  clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  strictClientAuth: true,         // refuse a method other than the registered one, and Basic with client_id in the body
  clients: [],                    // pre-registered clients (RFC 7591 metadata, with client_id)
  introspectionClients: [],       // client ids (resource servers) allowed to introspect any token
  dpopNonceSecret: null,          // 64 hex chars: makes the server demand DPoP nonces (RFC 9449 §8)
  resourcePattern: '^https?://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?(/.*)?$',
});

/** Reads the test configuration: argv[2] (JSON), else OIDC_SERVER_CONFIG (JSON), over the defaults. */
export function readTestConfig(argv, env) {
  const text = argv[2] ?? env.OIDC_SERVER_CONFIG ?? '{}';
  const given = JSON.parse(text);
  const config = { ...defaults, ...given };
  if (!['auto', 'html'].includes(config.interaction)) {
    throw new Error(`interaction must be 'auto' or 'html', not '${config.interaction}'`);
  }
  if (!['opaque', 'jwt'].includes(config.accessTokenFormat)) {
    throw new Error(`accessTokenFormat must be 'opaque' or 'jwt', not '${config.accessTokenFormat}'`);
  }
  return config;
}

function resourceServerInfo(config) {
  const pattern = new RegExp(config.resourcePattern);
  return async (ctx, resourceIndicator) => {
    if (!pattern.test(resourceIndicator)) {
      throw new errors.InvalidTarget('resource indicator is not a loopback URL');
    }
    return {
      scope: config.scopes,
      audience: resourceIndicator,
      accessTokenFormat: config.accessTokenFormat,
      accessTokenTTL: config.accessTokenTtl,
      ...(config.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
    };
  };
}

// The issuing client may introspect its own tokens; the configured resource servers may introspect any.
function introspectionPolicy(config) {
  const resourceServers = new Set(config.introspectionClients);
  return async (ctx, client, token) => token.clientId === client.clientId || resourceServers.has(client.clientId);
}

// Refresh tokens for every user grant (authorization code, device code) of a client that registered the
// refresh_token grant, so tests need not ask for offline_access (oidc-provider's default demands it).
const userGrants = new Set(['AuthorizationCode', 'DeviceCode', 'RefreshToken']);
async function issueRefreshToken(ctx, client, code) {
  if (!client.grantTypeAllowed('refresh_token')) return false;
  return userGrants.has(code.kind) || code.scopes.has('offline_access');
}

/** The endpoint paths (oidc-provider's defaults, named here so the statistics middleware can match them). */
export const routes = Object.freeze({
  authorization: '/auth',
  token: '/token',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  registration: '/reg',
  jwks: '/jwks',
  userinfo: '/me',
  end_session: '/session/end',
  code_verification: '/device',
  device_authorization: '/device/auth',
});

/** The oidc-provider configuration for a test configuration. */
export function providerConfiguration(config) {
  return {
    adapter: createMapAdapter(), // unbounded: the built-in memory adapter evicts beyond 1,000 entries
    routes,
    clients: config.clients,
    clientAuthMethods: config.clientAuthMethods,
    scopes: ['openid', 'offline_access', ...config.extraScopes],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: ['mcpauth-test-cookie-key'] },
    pkce: { required: () => config.requirePkce },
    rotateRefreshToken: config.rotateRefreshToken,
    issueRefreshToken,
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: config.accessTokenTtl,
      ClientCredentials: config.accessTokenTtl,
      RefreshToken: config.refreshTokenTtl,
      Grant: config.refreshTokenTtl,
      Session: 3600,
      Interaction: 600,
      AuthorizationCode: 60,
      IdToken: 3600,
    },
    features: {
      devInteractions: { enabled: config.interaction === 'html' },
      registration: { enabled: config.registration },
      // RFC 7592: clients read, update and delete their registration (mcpauth logout deletes it).
      registrationManagement: { enabled: config.registration, rotateRegistrationAccessToken: false },
      revocation: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionPolicy(config) },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      dPoP: config.dpopNonceSecret
        ? { enabled: true, nonceSecret: Buffer.from(config.dpopNonceSecret, 'hex'), requireNonce: () => true }
        : { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx, client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: resourceServerInfo(config),
      },
    },
  };
}
