/**
 * The embedded broker's authorizer, built from the same policy source as the Mosquitto `acl_file`
 * (`protocol/src/acl.ts`: {@link isAllowed} over the same {@link AclSubject} list that `renderMosquittoAcl` renders).
 * An identity missing from the list is granted nothing, as in Mosquitto (a user without a block in the file).
 */
import { isAllowed, type AclAccess, type AclSubject } from '@helmlink/protocol';

/** Decides publish/subscribe rights for an identity (the certificate CN, as Mosquitto's use_identity_as_username). */
export interface TopicAuthorizer {
  /** Replaces the subjects (after a CA change: new enrollment, revocation). */
  update(subjects: readonly AclSubject[]): void;
  /** True when `entityId` may `access` the topic (write) or the filter (read). */
  allows(entityId: string, access: AclAccess, topicOrFilter: string): boolean;
}

/** Creates an authorizer over `subjects` (merged per entity id, like the rendered ACL file). */
export function createTopicAuthorizer(subjects: readonly AclSubject[]): TopicAuthorizer {
  let byId = new Map<string, AclSubject>();
  const update = (list: readonly AclSubject[]): void => {
    const next = new Map<string, AclSubject>();
    for (const s of list) {
      const prev = next.get(s.entityId);
      next.set(s.entityId, {
        entityId: s.entityId,
        roles: [...new Set([...(prev?.roles ?? []), ...s.roles])],
      });
    }
    byId = next;
  };
  update(subjects);
  return {
    update,
    allows(entityId, access, topicOrFilter) {
      const subject = byId.get(entityId);
      return subject !== undefined && isAllowed(subject, access, topicOrFilter);
    },
  };
}
