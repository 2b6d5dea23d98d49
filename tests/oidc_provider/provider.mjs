// A real OpenID Provider for yjflow's tests: the certified `oidc-provider` package on a free 127.0.0.1
// port, with one confidential client and test accounts (each with a password and a `groups` claim).
//
// Configuration is one JSON document in the environment variable OIDC_TEST_CONFIG:
//   { "client": { "client_id", "client_secret", "redirect_uris": [..], "post_logout_redirect_uris": [..] },
//     "accounts": { "<login>": { "password", "claims": { "name", "email", "groups": [..], .. } } } }
// Once listening it prints one line of JSON, {"issuer": "http://127.0.0.1:<port>"}, and serves until killed.
//
// The sign-in and sign-out pages are our own small forms (the package's development pages load web fonts
// from the internet, which the tests refuse); everything else -- discovery, authorization with PKCE, the
// token endpoint, ID tokens, JWKS, userinfo, RP-initiated logout -- is the package's own protocol code.
import http from 'node:http';
import { URLSearchParams } from 'node:url';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const accounts = config.accounts ?? {};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function signInForm(uid, error) {
  const problem = error ? `<p role="alert" id="problem">${escape(error)}</p>` : '';
  return page('Sign in to the test organisation', `${problem}
    <form method="post" action="/interaction/${escape(uid)}">
      <label for="login">Username</label> <input id="login" name="login" autocomplete="username">
      <label for="password">Password</label> <input id="password" name="password" type="password">
      <button type="submit">Continue</button>
    </form>`);
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...config.client,
    }],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    pkce: { required: () => true },
    cookies: { keys: ['yjflow-test-provider-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out of the test organisation', `${form}
            <button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out of the test organisation', ''); },
      },
    },
    // The client is the organisation's own service: its users are never asked to consent to it.
    loadExistingGrant: async (ctx) => {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope);
      await grant.save();
      return grant;
    },
    findAccount: async (ctx, sub) => {
      const account = accounts[sub];
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('The test organisation refused', `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([^/?]+)$/.exec(req.url.split('?')[0]);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (req.method === 'GET') {
        res.end(signInForm(details.uid));
        return;
      }
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      const account = accounts[login];
      if (!account || account.password !== form.get('password')) {
        res.statusCode = 401;
        res.end(signInForm(details.uid, 'The username or password is not right'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(page('The sign-in could not go on', `<pre>${escape(err.message)}</pre>`));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
