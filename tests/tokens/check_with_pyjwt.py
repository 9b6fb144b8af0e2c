"""Checks a Varco access token as a portal's own service would, with PyJWT: the issuer's
discovery document names the key set, the key set gives the key the token names, and the
signature, "iss", "aud" and "exp" are checked. Also makes the tokens an attacker would try
(alg "none", HS256 keyed with the public key) for Varco to refuse.

usage: check_with_pyjwt.py ISSUER TOKEN AUDIENCE   (prints a JSON report)
"""

import base64
import json
import sys
import time
import urllib.request

import jwt

issuer, token, audience = sys.argv[1:4]


def get(url):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


discovery = get(issuer + "/.well-known/openid-configuration")
algorithms = discovery["id_token_signing_alg_values_supported"]
key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)


def decode(**overrides):
    options = dict(
        key=key.key,
        algorithms=algorithms,
        audience=audience,
        issuer=discovery["issuer"],
        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
    )
    options.update(overrides)
    return jwt.decode(token, **options)


def refused(**overrides):
    try:
        decode(**overrides)
        return False
    except jwt.InvalidTokenError:
        return True


claims = decode()
# The token seen a second after its "exp": PyJWT must call it expired.
after_exp = -(claims["exp"] - time.time() + 1)
public_n = base64.urlsafe_b64decode(key._jwk_data["n"] + "==")
unsigned_claims = dict(claims, exp=int(time.time()) + 3600)
header = jwt.get_unverified_header(token)
print(json.dumps({
    "discovery": discovery,
    "header": header,
    "claims": claims,
    "expired_refused": refused(leeway=after_exp),
    "other_audience_refused": refused(audience="someone-else"),
    "other_issuer_refused": refused(issuer="https://elsewhere.example.com"),
    "forged": {
        "alg_none": jwt.encode(unsigned_claims, None, algorithm="none",
                               headers={"kid": header["kid"], "typ": "at+jwt"}),
        "hs256_with_the_public_key": jwt.encode(unsigned_claims, public_n, algorithm="HS256",
                                                headers={"kid": header["kid"], "typ": "at+jwt"}),
    },
}))
