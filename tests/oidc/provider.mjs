// A real OpenID Connect provider on loopback for Baken's OIDC tests (not a
// mock: panva's certified oidc-provider, authorization code flow with PKCE).
// Test use only: the client secret is published here, the signing keys and
// the login pages are the library's development ones.
//
//   OIDC_PORT=9410 OIDC_REDIRECT=http://127.0.0.1:9/inloggen/oidc/terug node provider.mjs
//
// Any login name with any password logs in as that name: the ID token then
// carries `preferred_username` = the name and `email` = name@proefstad.example
// (verified). Consent is given automatically for Baken's client.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 9410);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.OIDC_REDIRECT || 'http://127.0.0.1:9/inloggen/oidc/terug').split(',');

const configuration = {
  clients: [{
    client_id: 'baken',
    client_secret: 'baken-test-secret',
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username'],
  },
  // Put the scopes' claims in the ID token itself (Baken reads only that).
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, preferred_username: sub, email: `${sub}@proefstad.example`, email_verified: true };
      },
    };
  },
  // No consent page for Baken's own client.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['baken-test-only-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
