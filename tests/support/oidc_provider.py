"""A small OpenID Connect provider for tests, on 127.0.0.1 in a thread: discovery, authorize (the signed-in
identity consents at once), token (an RS256-signed ID token, PKCE checked), JWKS and userinfo.

Only what a relying party needs to be tested honestly: codes are single-use and bound to the client and
redirect URI, and the ID token carries iss, aud, exp, iat and the nonce it was asked for.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class OIDCProvider:
    def __init__(self, *, client_id, client_secret):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = _rsa_key()
        self.kid = "test-key-1"
        # What the next sign-in says about the user; tests change it.
        self.identity = {"sub": "user-1", "email": "someone@example.com", "email_verified": True}
        self.deny = False
        self.signing_key = self.key  # a test may sign with a key the JWKS does not publish
        self.audience = client_id  # a test may issue tokens meant for another client
        # The token endpoint authentication method the client is registered with; None accepts either.
        self.token_auth_method = None
        self.codes = {}
        self.access_tokens = {}
        self.requests = []  # (method, path, parameters) as received, for assertions
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def discovery_url(self):
        return self.issuer + "/.well-known/openid-configuration"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        if not self._thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def sign_with_unknown_key(self):
        self.signing_key = _rsa_key()

    # --- endpoints ------------------------------------------------------------------------------------------

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, params):
        redirect_uri = params["redirect_uri"]
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            return 400, {"error": "invalid_request"}
        if self.deny:
            return 302, f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': params['state']})}"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": redirect_uri, "nonce": params.get("nonce"), "identity": dict(self.identity),
            "code_challenge": params.get("code_challenge"),
        }
        return 302, f"{redirect_uri}?{urlencode({'code': code, 'state': params['state']})}"

    def token(self, params, authorization):
        client_id, secret = params.get("client_id"), params.get("client_secret")
        method = "client_secret_post"
        if authorization and authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            method = "client_secret_basic"
        if self.token_auth_method not in (None, method):
            return 401, {"error": "invalid_client", "error_description": f"registered for {self.token_auth_method}"}
        if (client_id, secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(params.get("code"), None)
        if grant is None or grant["redirect_uri"] != params.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant["code_challenge"]:
            verifier = params.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                  **grant["identity"]}
        id_token = jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid})
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = grant["identity"]
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def jwks(self):
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def userinfo(self, authorization):
        identity = self.access_tokens.get((authorization or "").removeprefix("Bearer "))
        if identity is None:
            return 401, {"error": "invalid_token"}
        return 200, identity

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # keep test output quiet
                pass

            def _answer(self, status, body):
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", body)
                    self.end_headers()
                    return
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlparse(self.path)
                params = {key: values[0] for key, values in parse_qs(url.query).items()}
                provider.requests.append(("GET", url.path, params))
                if url.path == "/.well-known/openid-configuration":
                    self._answer(200, provider.discovery())
                elif url.path == "/authorize":
                    self._answer(*provider.authorize(params))
                elif url.path == "/jwks":
                    self._answer(200, provider.jwks())
                elif url.path == "/userinfo":
                    self._answer(*provider.userinfo(self.headers.get("Authorization")))
                else:
                    self._answer(404, {"error": "not_found"})

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                params = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                provider.requests.append(("POST", url.path, params))
                if url.path == "/token":
                    self._answer(*provider.token(params, self.headers.get("Authorization")))
                else:
                    self._answer(404, {"error": "not_found"})

        return Handler
