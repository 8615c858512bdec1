/**
 * The Helmlink certificate profile: how an end entity's identity and roles are written into a certificate.
 *
 * - Subject CN = the entity id (pilot id, vessel id, broker host id). The broker uses it as the MQTT username
 *   (`use_identity_as_username`), so it follows the entity-id rule (vocabulary/entity-id.ts).
 * - One SAN URI per role, MCP style: `urn:mrn:helmlink:{role}:{entityId}`. The entity id in every role URI must
 *   equal the CN; a certificate whose role URIs disagree with its CN has no roles.
 * - Optional maritime attributes as SAN URIs in their own MRN namespaces:
 *   `urn:mrn:imo:imo-number:{7 digits}`, `urn:mrn:itu:mmsi:{9 digits}`, `urn:mrn:helmlink:flag:{ISO 3166 alpha-2}`,
 *   and the ship's name `urn:mrn:helmlink:name:{percent-encoded UTF-8}` (the ship-name rule of the vocabulary).
 * - Extended key usage by role: pilot, admin, vessel: clientAuth; broker: serverAuth; ca (the CA service's own
 *   identity, which serves HTTPS and publishes CRLs over MQTT): serverAuth + clientAuth.
 */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { isEntityId } from '../vocabulary/entity-id';
import { isValidFlag, isValidImoNumber, isValidMmsi } from '../vocabulary/maritime';
import { isValidShipName } from '../vocabulary/ship-name';
import { ROLES, type Role } from '../vocabulary/roles';

export const MRN_PREFIX = 'urn:mrn:helmlink:';
export const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Extended key usages each role's certificate carries. */
export const ROLE_EKU: Record<Role, readonly string[]> = {
  pilot: [OID_CLIENT_AUTH],
  admin: [OID_CLIENT_AUTH],
  vessel: [OID_CLIENT_AUTH],
  broker: [OID_SERVER_AUTH],
  ca: [OID_SERVER_AUTH, OID_CLIENT_AUTH],
};

export interface MaritimeAttributes {
  /** IMO ship identification number, 7 digits with a valid check digit. */
  imo?: string;
  /** Maritime Mobile Service Identity, 9 digits. */
  mmsi?: string;
  /** Flag state, ISO 3166-1 alpha-2. */
  flag?: string;
  /** The ship's name, e.g. "MV Nordic Tern" (vocabulary ship-name rule). */
  name?: string;
}

/** The identity an end-entity certificate asserts under this profile. */
export interface EntityIdentity extends MaritimeAttributes {
  entityId: string;
  roles: Role[];
  organization?: string;
}

/** The role URI for an entity. */
export function roleUri(role: Role, entityId: string): string {
  return `${MRN_PREFIX}${role}:${entityId}`;
}

/** The SAN URIs for an identity (roles first, then maritime attributes). Throws TypeError on bad input. */
export function identityUris(identity: EntityIdentity): string[] {
  if (!isEntityId(identity.entityId)) throw new TypeError(`invalid entity id: ${identity.entityId}`);
  const uris = identity.roles.map((r) => {
    if (!ROLES.includes(r)) throw new TypeError(`unknown role: ${r}`);
    return roleUri(r, identity.entityId);
  });
  if (identity.imo !== undefined) {
    if (!isValidImoNumber(identity.imo)) throw new TypeError(`invalid IMO number: ${identity.imo}`);
    uris.push(`urn:mrn:imo:imo-number:${identity.imo}`);
  }
  if (identity.mmsi !== undefined) {
    if (!isValidMmsi(identity.mmsi)) throw new TypeError(`invalid MMSI: ${identity.mmsi}`);
    uris.push(`urn:mrn:itu:mmsi:${identity.mmsi}`);
  }
  if (identity.flag !== undefined) {
    if (!isValidFlag(identity.flag)) throw new TypeError(`invalid flag state: ${identity.flag}`);
    uris.push(`${MRN_PREFIX}flag:${identity.flag}`);
  }
  if (identity.name !== undefined) {
    if (!isValidShipName(identity.name)) throw new TypeError(`invalid ship name: ${identity.name}`);
    uris.push(`${MRN_PREFIX}name:${encodeURIComponent(identity.name)}`);
  }
  return uris;
}

function subjectAttribute(cert: x509.X509Certificate, type: string): string | undefined {
  const values = cert.subjectName.getField(type);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * Reads the identity a certificate asserts under the profile.
 * Throws ERR_CERT_PROFILE when the CN is missing, ambiguous or not a valid id, or when a role URI names
 * another entity.
 */
export function readIdentity(cert: x509.X509Certificate): EntityIdentity {
  const entityId = subjectAttribute(cert, 'CN');
  if (entityId === undefined || !isEntityId(entityId)) {
    throw new HelmlinkError(
      'ERR_CERT_PROFILE',
      'the certificate subject needs exactly one CN that is a valid entity id',
    );
  }
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
  const roles: Role[] = [];
  const identity: EntityIdentity = { entityId, roles };
  const organization = subjectAttribute(cert, 'O');
  if (organization !== undefined) identity.organization = organization;
  for (const uri of uris) {
    if (uri.startsWith(`${MRN_PREFIX}flag:`)) {
      identity.flag = uri.slice(`${MRN_PREFIX}flag:`.length);
      continue;
    }
    if (uri.startsWith(`${MRN_PREFIX}name:`)) {
      const name = decodeShipName(uri.slice(`${MRN_PREFIX}name:`.length));
      if (name !== undefined) identity.name = name;
      continue;
    }
    if (uri.startsWith('urn:mrn:imo:imo-number:')) {
      identity.imo = uri.slice('urn:mrn:imo:imo-number:'.length);
      continue;
    }
    if (uri.startsWith('urn:mrn:itu:mmsi:')) {
      identity.mmsi = uri.slice('urn:mrn:itu:mmsi:'.length);
      continue;
    }
    if (!uri.startsWith(MRN_PREFIX)) continue;
    const rest = uri.slice(MRN_PREFIX.length);
    const sep = rest.indexOf(':');
    const role = rest.slice(0, sep) as Role;
    const id = rest.slice(sep + 1);
    if (sep < 0 || !ROLES.includes(role)) continue;
    if (id !== entityId) {
      throw new HelmlinkError(
        'ERR_CERT_PROFILE',
        `role URI ${uri} names another entity than the subject CN ${entityId}`,
      );
    }
    if (!roles.includes(role)) roles.push(role);
  }
  return identity;
}

/** The ship's name of a name URI, or undefined when it is not percent-encoded UTF-8 following the rule. */
function decodeShipName(encoded: string): string | undefined {
  try {
    const name = decodeURIComponent(encoded);
    return isValidShipName(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** True when the identity holds `role`. */
export function hasRole(identity: EntityIdentity, role: Role): boolean {
  return identity.roles.includes(role);
}
