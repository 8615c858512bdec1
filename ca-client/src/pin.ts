/**
 * Root pinning: which certificate of the CA's bootstrap answer is the pinned root. The pin is the SHA-256 of the
 * root's DER; only a self-signed certificate can be the root.
 */
import { createHash, X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/gu;

/** SHA-256 of the first certificate in a PEM, lowercase hex. */
export function pemFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** Every PEM certificate found in the strings of a parsed JSON value. */
export function pemCertificatesIn(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(...(v.match(PEM_CERTIFICATE) ?? []));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/** True when the PEM certificate names itself as issuer and its signature verifies with its own key. */
export function isSelfSigned(pem: string): boolean {
  const cert = new X509Certificate(pem);
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

/**
 * The root of a bootstrap answer: its `root` field when it has one, else the self-signed certificate among `chain`
 * whose fingerprint is `pin`. Undefined when neither exists (the caller refuses; a `root` field is still checked
 * against the pin by the caller).
 */
export function pinnedRootOf(parsed: unknown, chain: readonly string[], pin: string): string | undefined {
  const given = (parsed as { root?: unknown } | undefined)?.root;
  if (typeof given === 'string') return given;
  return chain.find((c) => pemFingerprint(c) === pin && isSelfSigned(c));
}
