import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** The asymmetric algorithms Clarity accepts; each key type allows exactly one. */
export type AsymmetricAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';
export type JwtAlgorithm = 'HS256' | AsymmetricAlgorithm;

/** An asymmetric key with the one algorithm it may be used with. */
export interface JwtKey {
  alg: AsymmetricAlgorithm;
  key: KeyObject;
}

const EC_CURVES: Record<string, AsymmetricAlgorithm> = {
  prime256v1: 'ES256',
  'P-256': 'ES256',
  secp384r1: 'ES384',
  'P-384': 'ES384',
  secp521r1: 'ES512',
  'P-521': 'ES512',
};

/** The single algorithm a public or private RSA/EC key is used with (RSA → RS256, P-256 → ES256). */
export function algorithmForKey(key: KeyObject): AsymmetricAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const alg = curve ? EC_CURVES[curve] : undefined;
    if (alg) return alg;
    throw new Error(`unsupported EC curve ${curve ?? '(unknown)'}: use P-256 (ES256)`);
  }
  throw new Error(
    `unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}: use an RSA (RS256) or EC P-256 (ES256) key`,
  );
}

/** Verification key from a PEM public key (JWT_PUBLIC_KEY, SPKI). */
export function publicVerificationKey(pem: string): JwtKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('JWT_PUBLIC_KEY is not a readable PEM public key');
  }
  return { alg: algorithmForKey(key), key };
}

/** Signing key from a PEM private key (PKCS#8; PKCS#1/SEC1 also read). */
export function privateSigningKey(pem: string): JwtKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('not a readable PEM private key (expected -----BEGIN PRIVATE KEY-----)');
  }
  return { alg: algorithmForKey(key), key };
}

/** True when the private key is the counterpart of the public key. */
export function isKeyPair(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const expected = publicKey.export({ type: 'spki', format: 'der' });
  return derived.equals(expected);
}
