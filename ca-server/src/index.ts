/**
 * @helmlink/ca-server: the companion CA. Programmatic API for the demo, tests and the console's helpers.
 * See docs/ca-server.md.
 */
import '@helmlink/protocol';

export {
  initAuthority,
  importIntermediate,
  readCaConfig,
  type InitOptions,
  type InitResult,
} from './authority/init';
export {
  Authority,
  loadAuthority,
  hashToken,
  normalizeSerial,
  type AuthorityOptions,
  type TokenRequest,
  type IssuedCertificate,
  type Actor,
} from './authority/authority';
export { checkCsr, type CheckedCsr } from './authority/csr';
export { caPaths, type CaConfig } from './authority/files';
export { DEFAULT_RATE_LIMITS, type RateLimits } from './authority/rate-limit';
export { webhookBody, type WebhookOptions } from './authority/alerts';
export { recordView } from './authority/issue';
export { buildApp, type AppOptions } from './http/app';
export { startCaServer, type CaServer, type CaServerOptions } from './http/server';
export { SqliteStore, verifyAuditChain } from './store/sqlite';
export type { CaStore, CertRecord, TokenRecord, AlertRecord, AuditEntry } from './store/types';
export { createEnrollmentToken } from './authority/offline-token';
export {
  writeBrokerMaterial,
  writeBrokerState,
  writeBrokerCrl,
  writeDynsecFile,
  brokerPaths,
  DYNSEC_PLUGIN,
  type BrokerMaterial,
  type BrokerMaterialOptions,
} from './broker/material';
export {
  ManagedMosquitto,
  mosquittoVersion,
  waitForPort,
  freePort,
  type ManagedMosquittoOptions,
} from './broker';
export {
  syncBroker,
  attachBrokerSync,
  reloadBroker,
  type SyncOptions,
  type SyncResult,
  type BrokerSyncHandle,
  type BrokerSyncStatus,
} from './broker/sync';
export { startDaemon } from './broker/daemon';
export { readBrokerConf, pidFileBroker, type BrokerConf } from './broker/broker-conf';
export { BrokerLink, type BrokerLinkOptions, type BrokerLinkStatus } from './broker/link';
export { DynsecControl } from './broker/dynsec/control';
export { desiredDynsecState, renderDynsecConfig, type DynsecState } from './broker/dynsec/policy';
export { planDynsec, type DynsecCommand } from './broker/dynsec/plan';
export {
  CrlPublisher,
  type CrlPublisherOptions,
  type CrlPublisherTuning,
  type CrlPublisherStatus,
} from './broker/crl-publisher';
export type { IssuedCrl } from './authority/crl';
