// A local OpenID Connect provider for tests (npm oidc-provider), started twice: as a SPID-like
// identity provider (private_key_jwt client authentication, RS256 ID tokens, the codice fiscale in
// the userinfo response) and as a CIE-like one (client_secret_basic, ES256 ID tokens, the codice
// fiscale in the ID token). Test users log in through a tiny form; each user authenticates at a
// fixed SPID level, which becomes the ID token's `acr`.
//
// Environment:
//   OIDC_SPID_PORT, OIDC_CIE_PORT  ports on 127.0.0.1 (0 or unset: any free port)
//   OIDC_REDIRECT_URI              the relying party's callback, e.g. http://127.0.0.1:18080/api/auth/oidc/callback
//   OIDC_RP_KEY                    the relying party's private key (PKCS#8 PEM, P-256): its public
//                                  half is registered for private_key_jwt
//   OIDC_CIE_SECRET                the CIE-like client's secret (default cie-test-secret)
// Prints one JSON line {"spid": issuer, "cie": issuer} when both are listening.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';
const LEVEL = (n) => `https://www.spid.gov.it/SpidL${n}`;

/** Test users: password `password`; the level is the one their login asserts. */
export const USERS = {
  'mario.rossi': { cf: 'RSSMRA85T14H501W', given_name: 'Mario', family_name: 'Rossi', acr: LEVEL(2) },
  'anna.bianchi': { cf: 'BNCNNA90C43F205H', given_name: 'Anna', family_name: 'Bianchi', acr: LEVEL(1) },
  'lucia.verdi': { cf: 'VRDLCU80A41H501K', given_name: 'Lucia', family_name: 'Verdi', acr: LEVEL(3) },
  // Only the "non sono stato io" spec logs in as him: it revokes PIN requests in his name.
  'giorgio.bruno': { cf: 'BRNGRG80C10H501Z', given_name: 'Giorgio', family_name: 'Bruno', acr: LEVEL(2) },
};

// Whoever started us may stop reading our output: that is no reason to stop serving.
process.stdout.on('error', () => {});

const redirectUri = process.env.OIDC_REDIRECT_URI;
if (!redirectUri || !process.env.OIDC_RP_KEY) {
  console.error('provider.mjs: OIDC_REDIRECT_URI and OIDC_RP_KEY are required');
  process.exit(2);
}

/** The relying party's public key as a JWK, with the RFC 7638 thumbprint as kid (as the RP does). */
function rpPublicJwk(pemFile) {
  const { crv, kty, x, y } = createPublicKey(createPrivateKey(readFileSync(pemFile))).export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  return { crv, kty, x, y, kid, alg: 'ES256', use: 'sig' };
}

function signingKey(type) {
  const { privateKey } =
    type === 'RSA' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `${type.toLowerCase()}-${Date.now()}`, use: 'sig', alg: type === 'RSA' ? 'RS256' : 'ES256' };
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, name, error) {
  return `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>${escape(name)}: accesso di prova</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"></head>
<body><main><h1>${escape(name)}: accesso di prova</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="username">Nome utente</label><br><input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Entra</button></p>
</form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function start({ name, port, client, conformIdTokenClaims, keyType }) {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => {
      const issuer = `http://127.0.0.1:${server.address().port}`;
      const provider = new Provider(issuer, {
        clients: [client],
        jwks: { keys: [signingKey(keyType)] },
        cookies: { keys: [`test-cookie-key-${name}`] },
        acrValues: [LEVEL(1), LEVEL(2), LEVEL(3)],
        claims: { acr: null, openid: ['sub'], profile: [FISCAL_NUMBER, 'given_name', 'family_name'] },
        conformIdTokenClaims,
        features: { devInteractions: { enabled: false }, claimsParameter: { enabled: true } },
        findAccount: (ctx, id) => {
          const user = USERS[id];
          if (!user) return undefined;
          return {
            accountId: id,
            claims: () => ({
              sub: id,
              [FISCAL_NUMBER]: `TINIT-${user.cf}`,
              given_name: user.given_name,
              family_name: user.family_name,
            }),
          };
        },
        interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
        pkce: { required: () => true },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      });
      const callback = provider.callback();
      server.on('request', async (req, res) => {
        const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
        if (!match) return callback(req, res);
        try {
          const details = await provider.interactionDetails(req, res);
          if (match[2] && req.method === 'POST') {
            const form = await readForm(req);
            const id = form.get('username');
            if (!USERS[id] || form.get('password') !== 'password') {
              res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
              return res.end(loginPage(match[1], name, 'Nome utente o password non corretti.'));
            }
            return provider.interactionFinished(
              req,
              res,
              { login: { accountId: id, acr: USERS[id].acr, amr: ['pwd'] } },
              { mergeWithLastSubmission: false },
            );
          }
          if (details.prompt.name === 'login') {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
            return res.end(loginPage(match[1], name));
          }
          // Consent is implied for the test clients: grant what was asked for.
          const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
          const missing = details.prompt.details;
          if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
          if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
          const grantId = await grant.save();
          return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(`interaction failed: ${err.message}`);
        }
      });
      resolve(issuer);
    });
  });
}

const spid = await start({
  name: 'SPID di prova',
  port: Number(process.env.OIDC_SPID_PORT ?? 0),
  keyType: 'RSA',
  conformIdTokenClaims: true,
  client: {
    client_id: 'sportello-spid',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [rpPublicJwk(process.env.OIDC_RP_KEY)] },
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  },
});
const cie = await start({
  name: 'CIE di prova',
  port: Number(process.env.OIDC_CIE_PORT ?? 0),
  keyType: 'EC',
  conformIdTokenClaims: false,
  client: {
    client_id: 'sportello-cie',
    client_secret: process.env.OIDC_CIE_SECRET ?? 'cie-test-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
  },
});
console.log(JSON.stringify({ spid, cie }));
