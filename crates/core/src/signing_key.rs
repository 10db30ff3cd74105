//! The signing key of a `private_key_jwt` client (RFC 7523 §2.2): a P-256 key pair that
//! Patchbay generates (or imports from a PEM), whose private half lives only in the keychain
//! (`<owner>/private_key`, PKCS#8 PEM) and is read from there only to sign one client assertion;
//! its public half is shown as a JWK for the user to register with the provider.
//!
//! An assertion is a compact JWS (ES256): `{"alg":"ES256"}` over
//! `{iss, sub: the client id, aud: the authorization server's issuer (else its token
//! endpoint), iat, exp: 2 minutes later, jti: random}`. The three parts are joined by hand
//! (base64url each, then `.`): p256 signs, and a JWT crate would only add a copy of the key
//! that is not wiped on drop. The header names no `kid`: an imported key may be registered
//! under the provider's own key id (or none), and servers that select a key by `kid` (such as
//! oidc-provider) refuse an assertion whose `kid` no registered key has; without one they try
//! the client's keys.

use base64::Engine;
use p256::SecretKey;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding, ObjectIdentifier};
use secrecy::{ExposeSecret, SecretString};
use sha2::Digest;
use zeroize::Zeroizing;

use crate::error::{Error, FormField, Result};
use crate::model::PublicJwk;

/// How long a client assertion is valid.
const ASSERTION_LIFETIME_SECS: i64 = 120;

const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const RSA: &str = "1.2.840.113549.1.1.1";
const ED25519: &str = "1.3.101.112";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A curve's name from its OID, for messages.
fn curve_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        _ => "another curve",
    }
}

fn key_error(what: impl Into<String>) -> Error {
    Error::invalid_with_hint(
        what.into(),
        "pipe an unencrypted P-256 (ES256) private key in PEM to --private-key-stdin (PKCS#8 \
         `-----BEGIN PRIVATE KEY-----` or SEC1 `-----BEGIN EC PRIVATE KEY-----`), e.g. from \
         `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`; or leave the option \
         out and Patchbay generates one",
    )
    .at(FormField::PrivateKey)
}

/// A new key pair: its private key as PKCS#8 PEM (for the keychain) and its public JWK.
pub(crate) fn generate() -> Result<(SecretString, PublicJwk)> {
    let key = SecretKey::random(&mut rand_core::OsRng);
    Ok((pem_of(&key)?, public_jwk(&key)))
}

/// An imported private key (PEM, from `--private-key-stdin`), checked to be a P-256 key:
/// stored as PKCS#8 PEM, with its public JWK. Errors say what the key is, never any of it.
pub(crate) fn import(pem: &SecretString) -> Result<(SecretString, PublicJwk)> {
    let key = parse(pem.expose_secret())?;
    Ok((pem_of(&key)?, public_jwk(&key)))
}

fn pem_of(key: &SecretKey) -> Result<SecretString> {
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| Error::Internal("cannot encode the private key as PKCS#8".into()))?;
    Ok(SecretString::from(pem.as_str().to_string()))
}

fn parse(text: &str) -> Result<SecretKey> {
    let text = text.trim();
    if !text.starts_with("-----BEGIN ") {
        return Err(key_error(
            "the private key is not in PEM form (no -----BEGIN line)",
        ));
    }
    let (label, der) = pem_rfc7468::decode_vec(text.as_bytes()).map_err(|_| {
        key_error("the private key's PEM is malformed (its base64 or its END line)")
    })?;
    let der = Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => {
            let info = p256::pkcs8::PrivateKeyInfo::try_from(der.as_slice())
                .map_err(|_| key_error("the PKCS#8 private key is malformed"))?;
            let alg = info.algorithm.oid.to_string();
            match alg.as_str() {
                EC_PUBLIC_KEY => {
                    let curve = info
                        .algorithm
                        .parameters_oid()
                        .map(|o: ObjectIdentifier| o.to_string())
                        .unwrap_or_default();
                    if curve_name(&curve) != "P-256" {
                        return Err(key_error(format!(
                            "the private key is on {}; Patchbay signs client assertions with ES256, which needs a P-256 key",
                            curve_name(&curve)
                        )));
                    }
                }
                RSA => {
                    return Err(key_error(
                        "the private key is an RSA key; Patchbay signs client assertions with ES256, which needs a P-256 key",
                    ));
                }
                ED25519 => {
                    return Err(key_error(
                        "the private key is an Ed25519 key; Patchbay signs client assertions with ES256, which needs a P-256 key",
                    ));
                }
                _ => {
                    return Err(key_error(format!(
                        "the private key is of an unsupported type (algorithm {alg}); Patchbay needs a P-256 key"
                    )));
                }
            }
            SecretKey::from_pkcs8_der(&der)
                .map_err(|_| key_error("the P-256 private key in the PKCS#8 PEM is malformed"))
        }
        "EC PRIVATE KEY" => SecretKey::from_sec1_der(&der).map_err(|_| {
            key_error("the EC private key is not a valid P-256 key (another curve, or malformed)")
        }),
        "ENCRYPTED PRIVATE KEY" => Err(key_error(
            "the private key is encrypted; decrypt it first (`openssl pkcs8 -topk8 -nocrypt -in KEY.pem`)",
        )),
        "RSA PRIVATE KEY" => Err(key_error(
            "the private key is an RSA key; Patchbay signs client assertions with ES256, which needs a P-256 key",
        )),
        "PUBLIC KEY" | "CERTIFICATE" => Err(key_error(format!(
            "this PEM holds a {}, not a private key",
            label.to_ascii_lowercase()
        ))),
        other => Err(key_error(format!(
            "this PEM holds a '{other}', not a private key"
        ))),
    }
}

/// The public JWK of a key, with its RFC 7638 thumbprint as `kid`.
fn public_jwk(key: &SecretKey) -> PublicJwk {
    let point = p256::EncodedPoint::from(key.public_key());
    let x = b64(point.x().map(|x| x.as_slice()).unwrap_or_default());
    let y = b64(point.y().map(|y| y.as_slice()).unwrap_or_default());
    // RFC 7638: the required members in lexicographic order, no whitespace.
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = b64(&sha2::Sha256::digest(canonical.as_bytes()));
    PublicJwk {
        kty: "EC".into(),
        crv: "P-256".into(),
        x,
        y,
        kid,
        alg: "ES256".into(),
        use_: "sig".into(),
    }
}

/// The private key in the keychain's PKCS#8 PEM, for signing.
fn stored_key(pem: &SecretString, whose: &str) -> Result<SecretKey> {
    SecretKey::from_pkcs8_pem(pem.expose_secret()).map_err(|_| {
        Error::Internal(format!(
            "the keychain's private key for {whose} cannot be read as a P-256 key"
        ))
    })
}

/// The public JWK of a stored key (PKCS#8 PEM).
pub(crate) fn public_jwk_of(pem: &SecretString, whose: &str) -> Result<PublicJwk> {
    Ok(public_jwk(&stored_key(pem, whose)?))
}

/// A compact JWS (ES256) of `header` over `claims`, signed with a stored key.
pub(crate) fn sign(
    pem: &SecretString,
    whose: &str,
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> Result<String> {
    let key = stored_key(pem, whose)?;
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature: Signature = SigningKey::from(&key).sign(signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", b64(&signature.to_bytes())))
}

/// A client assertion (RFC 7523 §2.2) for one token request.
pub(crate) fn assertion(
    pem: &SecretString,
    client_id: &str,
    audience: &str,
    now: time::OffsetDateTime,
) -> Result<String> {
    let header = serde_json::json!({"alg": "ES256"});
    let iat = now.unix_timestamp();
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": iat,
        "exp": iat + ASSERTION_LIFETIME_SECS,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    sign(pem, "this client", &header, &claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    fn field(e: &Error) -> Option<FormField> {
        e.body().field
    }

    #[test]
    fn a_generated_key_signs_assertions_its_public_jwk_verifies() {
        let (pem, jwk) = generate().expect("generate");
        assert!(
            pem.expose_secret()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        let now = time::macros::datetime!(2026-01-01 12:00 UTC);
        let jwt = assertion(&pem, "client-1", "https://as.example.com", now).expect("sign");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "a compact JWS");
        let dec = |s: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .expect("base64url")
        };
        let header: serde_json::Value = serde_json::from_slice(&dec(parts[0])).expect("header");
        let claims: serde_json::Value = serde_json::from_slice(&dec(parts[1])).expect("claims");
        assert_eq!(header, serde_json::json!({"alg": "ES256"}));
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["aud"], "https://as.example.com");
        assert_eq!(
            claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
            ASSERTION_LIFETIME_SECS
        );
        // Verify with the public JWK alone.
        let mut sec1 = vec![4u8];
        sec1.extend(dec(&jwk.x));
        sec1.extend(dec(&jwk.y));
        let vk = VerifyingKey::from_sec1_bytes(&sec1).expect("public key");
        let sig = Signature::from_slice(&dec(parts[2])).expect("signature");
        vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .expect("the public JWK verifies the assertion");
        let again = assertion(&pem, "client-1", "https://as.example.com", now).expect("sign");
        assert_ne!(
            again.split('.').nth(1),
            Some(parts[1]),
            "each assertion has its own jti"
        );
    }

    #[test]
    fn imported_keys_keep_their_public_key_and_sec1_is_accepted() {
        let key = SecretKey::random(&mut rand_core::OsRng);
        let pkcs8 = key.to_pkcs8_pem(LineEnding::LF).expect("pem");
        let (stored, jwk) = import(&SecretString::from(pkcs8.as_str().to_string())).expect("ok");
        assert_eq!(jwk, public_jwk(&key));
        assert_eq!(stored.expose_secret(), pkcs8.as_str());
        let sec1 = key.to_sec1_pem(LineEnding::CRLF).expect("sec1");
        let (_, jwk2) = import(&SecretString::from(format!("\n{}\n", sec1.as_str()))).expect("ok");
        assert_eq!(jwk2, jwk, "the same key, whichever PEM form");
        // RFC 7638's thumbprint: 43 base64url characters of a SHA-256.
        assert_eq!(jwk.kid.len(), 43);
    }

    /// A P-384 key in PKCS#8 (generated by `openssl genpkey -algorithm EC -pkeyopt
    /// ec_paramgen_curve:P-384`).
    const P384: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBetS6KFLQrj7TsXFkZ
p6ZRNUcOeOIOe+9KE3ykuK1ZcZqBbrwFz3CHxT/38hXVY3yhZANiAAT8qr3V/v2S
mUuNLWhy/CaySqBiXpVWmk1jXg7wJefxv4NmVtccbhvEOA7Zaw/2QDzf3sgSK4+X
WRa90ObDl2cLMX42U8QCdgiR98y5nuNEpVc2idOC7DKHs837X4R513c=
-----END PRIVATE KEY-----";

    #[test]
    fn bad_keys_are_refused_with_what_they_are_and_nothing_of_them() {
        let cases: &[(&str, &str)] = &[
            ("not a key at all", "not in PEM form"),
            (
                "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----",
                "malformed",
            ),
            (P384, "P-384"),
            (
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
                "encrypted",
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
                "public key",
            ),
        ];
        for (pem, says) in cases {
            let e = import(&SecretString::from(pem.to_string())).expect_err("refused");
            let body = e.body();
            assert!(body.message.contains(says), "{says}: {}", body.message);
            assert!(
                body.hint
                    .as_deref()
                    .unwrap_or("")
                    .contains("--private-key-stdin"),
                "the hint names the flag: {body:?}"
            );
            assert_eq!(field(&e), Some(FormField::PrivateKey));
            for line in pem
                .lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 3)
            {
                assert!(
                    !body.message.contains(line)
                        && !body.hint.as_deref().unwrap_or("").contains(line),
                    "no part of the key in the error"
                );
            }
        }
    }
}
