/**
 * Stable `data-testid` values for end-to-end tests. Change them only together with e2e/.
 *
 * App shell
 *   app-shell, nav-{tab} (tab: fleet | identity | connection | audit | pki | settings), palette-select,
 *   connection-badge, bridge-offline-banner, error-notice, error-details-toggle, error-details
 * Enrollment wizard (first run)
 *   wizard, wizard-step-{n} (1..4), wizard-mode-enroll, wizard-mode-import, wizard-ca-url, wizard-fingerprint,
 *   wizard-token, wizard-entity-id, wizard-keychain-status, wizard-passphrase, wizard-passphrase-confirm,
 *   wizard-passphrase-only, wizard-next, wizard-back, wizard-submit, wizard-progress, wizard-progress-step-{id},
 *   wizard-broker-url, wizard-error, wizard-retry, wizard-done, wizard-import-file, wizard-import-chain-file,
 *   wizard-import-format, wizard-import-passphrase, unlock-card (one, above every tab), unlock-passphrase (data-error-code after a
 *   refused passphrase), unlock-submit
 *   (wizard-passphrase-only exists only when a keychain is available; without one, passphrase-only is forced.
 *   wizard-progress-step-{id} uses the contract's ENROLL_STEPS ids and carries data-status =
 *   waiting | running | done | failed; wizard-keychain-status carries data-available = true | false.)
 * Identity
 *   identity-view, identity-subject, identity-role, identity-fingerprint, identity-expiry, identity-countdown,
 *   identity-renewal-status (data-state), identity-renew, identity-chain, expiry-banner (data-level),
 *   expiry-banner-renew, expiry-banner-reenroll, identity-unavailable-banner,
 *   identity-revoked-banner
 * Fleet overview
 *   fleet-grid (role=grid; data-rows = rows after the filter), fleet-row-{vesselId} (data-status = a state of the
 *   visual grammar: verified | unverified | stale | linkDown | pending | applied | rejected | expired;
 *   data-verified, data-selected), fleet-sort-{column}, fleet-filter, fleet-status-filter, fleet-no-match,
 *   fleet-summary, stream-panel-{vesselId}, stream-panel-close, vessel-truth-{vesselId} (data-truth),
 *   command-changes-{vesselId} (pending changes replace the last command's badge), stale-banner (data-reason)
 * Fleet (stream panel)
 *   fleet-screen, fleet-empty, broker-down-banner (data-state), vessel-card-{vesselId} (data-verified), vessel-status-{vesselId}
 *   (data-status = verified | unverified), vessel-unverified-{vesselId} (data-code),
 *   toggle-{vesselId}-{streamId} (the switch input; data-on), rate-{vesselId}-{streamId} (data-rate = msg/s,
 *   data-flowing, data-data = flowing | silent | stopped), bandwidth-{vesselId} (data-bps), pending-{vesselId} (data-count), send-{vesselId},
 *   reset-{vesselId}, send-error-{vesselId} (could not sign/publish; data-code), command-status-{vesselId} (data-status = none | pending | applied | rejected | timed_out |
 *   failed; data-command-id), command-rtt-{vesselId} (data-rtt), command-reason-{vesselId} (data-code),
 *   confirm-critical-dialog, confirm-critical-ok, confirm-critical-cancel, peer-cert-{vesselId},
 *   history-{vesselId} (recent commands; rows history-row with data-status)
 * Connection
 *   connection-screen, connection-state (data-state), connection-broker, connection-tls, connection-connect,
 *   connection-disconnect, disconnect-dialog, disconnect-confirm, disconnect-cancel, broker-connect-error, peer-cert-broker, cert-viewer, cert-viewer-verified (data-verified),
 *   cert-viewer-fingerprint, cert-viewer-expiry, cert-viewer-revocation (data-status = good | revoked | on_hold |
 *   unknown), cert-viewer-chain
 * Audit
 *   audit-screen, audit-search, audit-export, audit-row (one per entry; data-kind, data-verdict),
 *   audit-count (data-count), audit-empty
 * Settings
 *   settings-screen, settings-broker-url
 * PKI admin (admin role only)
 *   pki-tab, pki-certs-table, pki-cert-row-{serial} (data-status, data-entity), pki-filter-role, pki-filter-status, pki-filter-expiring,
 *   pki-revoke-{serial}, pki-release-{serial}, revoke-dialog, revoke-reason, revoke-description, revoke-confirm,
 *   revoke-cancel, revoke-warning (data-kind = own | infrastructure),
 *   revoke-understood (must be ticked before revoke-confirm is enabled), token-create, token-dialog, token-entity-id, token-role, token-imo, token-mmsi, token-flag
 *   (vessel role only), token-ttl, token-submit,
 *   token-value, token-copy, token-expiry, token-close, crl-view, crl-number, crl-this-update, crl-next-update,
 *   crl-entry-{serial}, alerts-feed, alert-row
 */
export const testIds = {
  appShell: 'app-shell',
  nav: (tab: string) => `nav-${tab}`,
  paletteSelect: 'palette-select',
  connectionBadge: 'connection-badge',
  bridgeOfflineBanner: 'bridge-offline-banner',
  bridgeEndedBanner: 'bridge-ended-banner',
  logoutButton: 'logout-button',
  errorNotice: 'error-notice',
  errorDetailsToggle: 'error-details-toggle',
  errorDetails: 'error-details',

  wizard: 'wizard',
  wizardStep: (n: number) => `wizard-step-${n}`,
  wizardModeEnroll: 'wizard-mode-enroll',
  wizardModeImport: 'wizard-mode-import',
  wizardCaUrl: 'wizard-ca-url',
  wizardFingerprint: 'wizard-fingerprint',
  wizardToken: 'wizard-token',
  wizardEntityId: 'wizard-entity-id',
  wizardKeychainStatus: 'wizard-keychain-status',
  wizardPassphrase: 'wizard-passphrase',
  wizardPassphraseConfirm: 'wizard-passphrase-confirm',
  wizardPassphraseOnly: 'wizard-passphrase-only',
  wizardNext: 'wizard-next',
  wizardBack: 'wizard-back',
  wizardSubmit: 'wizard-submit',
  wizardProgress: 'wizard-progress',
  wizardProgressStep: (id: string) => `wizard-progress-step-${id}`,
  wizardBrokerUrl: 'wizard-broker-url',
  wizardError: 'wizard-error',
  wizardRetry: 'wizard-retry',
  wizardDone: 'wizard-done',
  wizardImportFile: 'wizard-import-file',
  wizardImportChainFile: 'wizard-import-chain-file',
  wizardImportFormat: 'wizard-import-format',
  wizardImportPassphrase: 'wizard-import-passphrase',
  unlockPassphrase: 'unlock-passphrase',
  unlockSubmit: 'unlock-submit',
  unlockCard: 'unlock-card',

  identityView: 'identity-view',
  identitySubject: 'identity-subject',
  identityRole: 'identity-role',
  identityFingerprint: 'identity-fingerprint',
  identityExpiry: 'identity-expiry',
  identityCountdown: 'identity-countdown',
  identityRenewalStatus: 'identity-renewal-status',
  identityRenew: 'identity-renew',
  identityChain: 'identity-chain',
  expiryBanner: 'expiry-banner',
  expiryBannerRenew: 'expiry-banner-renew',
  expiryBannerReenroll: 'expiry-banner-reenroll',
  identityUnavailableBanner: 'identity-unavailable-banner',
  identityRevokedBanner: 'identity-revoked-banner',

  fleetGrid: 'fleet-grid',
  fleetRow: (vesselId: string) => `fleet-row-${vesselId}`,
  fleetSort: (column: string) => `fleet-sort-${column}`,
  fleetFilter: 'fleet-filter',
  fleetStatusFilter: 'fleet-status-filter',
  fleetNoMatch: 'fleet-no-match',
  fleetSummary: 'fleet-summary',
  streamPanel: (vesselId: string) => `stream-panel-${vesselId}`,
  streamPanelClose: 'stream-panel-close',
  vesselTruth: (vesselId: string) => `vessel-truth-${vesselId}`,
  commandChanges: (vesselId: string) => `command-changes-${vesselId}`,
  staleBanner: 'stale-banner',

  fleetScreen: 'fleet-screen',
  fleetEmpty: 'fleet-empty',
  brokerDownBanner: 'broker-down-banner',
  vesselCard: (vesselId: string) => `vessel-card-${vesselId}`,
  vesselStatus: (vesselId: string) => `vessel-status-${vesselId}`,
  vesselUnverified: (vesselId: string) => `vessel-unverified-${vesselId}`,
  vesselLink: (vesselId: string) => `vessel-link-${vesselId}`,
  vesselAlerts: 'vessel-alerts',
  vesselAlertRow: 'vessel-alert-row',
  toggle: (vesselId: string, streamId: string) => `toggle-${vesselId}-${streamId}`,
  rate: (vesselId: string, streamId: string) => `rate-${vesselId}-${streamId}`,
  bandwidth: (vesselId: string) => `bandwidth-${vesselId}`,
  pending: (vesselId: string) => `pending-${vesselId}`,
  send: (vesselId: string) => `send-${vesselId}`,
  reset: (vesselId: string) => `reset-${vesselId}`,
  sendError: (vesselId: string) => `send-error-${vesselId}`,
  commandStatus: (vesselId: string) => `command-status-${vesselId}`,
  commandRtt: (vesselId: string) => `command-rtt-${vesselId}`,
  commandReason: (vesselId: string) => `command-reason-${vesselId}`,
  confirmCriticalDialog: 'confirm-critical-dialog',
  confirmCriticalOk: 'confirm-critical-ok',
  confirmCriticalCancel: 'confirm-critical-cancel',
  peerCert: (peer: string) => `peer-cert-${peer}`,
  history: (vesselId: string) => `history-${vesselId}`,
  historyRow: 'history-row',

  connectionScreen: 'connection-screen',
  connectionState: 'connection-state',
  connectionBroker: 'connection-broker',
  connectionTls: 'connection-tls',
  connectionConnect: 'connection-connect',
  connectionDisconnect: 'connection-disconnect',
  disconnectDialog: 'disconnect-dialog',
  disconnectConfirm: 'disconnect-confirm',
  disconnectCancel: 'disconnect-cancel',
  brokerConnectError: 'broker-connect-error',
  certViewerVerified: 'cert-viewer-verified',
  certViewer: 'cert-viewer',
  certViewerFingerprint: 'cert-viewer-fingerprint',
  certViewerExpiry: 'cert-viewer-expiry',
  certViewerRevocation: 'cert-viewer-revocation',
  certViewerChain: 'cert-viewer-chain',

  auditScreen: 'audit-screen',
  auditSearch: 'audit-search',
  auditExport: 'audit-export',
  auditRow: 'audit-row',
  auditCount: 'audit-count',
  auditEmpty: 'audit-empty',

  settingsScreen: 'settings-screen',
  settingsBrokerUrl: 'settings-broker-url',

  pkiTab: 'pki-tab',
  pkiCertsTable: 'pki-certs-table',
  pkiCertRow: (serial: string) => `pki-cert-row-${serial}`,
  pkiFilterRole: 'pki-filter-role',
  pkiFilterStatus: 'pki-filter-status',
  pkiFilterExpiring: 'pki-filter-expiring',
  pkiRevoke: (serial: string) => `pki-revoke-${serial}`,
  pkiRelease: (serial: string) => `pki-release-${serial}`,
  revokeDialog: 'revoke-dialog',
  revokeReason: 'revoke-reason',
  revokeDescription: 'revoke-description',
  revokeConfirm: 'revoke-confirm',
  revokeCancel: 'revoke-cancel',
  revokeWarning: 'revoke-warning',
  revokeUnderstood: 'revoke-understood',
  tokenCreate: 'token-create',
  tokenDialog: 'token-dialog',
  tokenEntityId: 'token-entity-id',
  tokenRole: 'token-role',
  tokenImo: 'token-imo',
  tokenMmsi: 'token-mmsi',
  tokenFlag: 'token-flag',
  tokenTtl: 'token-ttl',
  tokenSubmit: 'token-submit',
  tokenValue: 'token-value',
  tokenCopy: 'token-copy',
  tokenExpiry: 'token-expiry',
  tokenClose: 'token-close',
  crlView: 'crl-view',
  crlNumber: 'crl-number',
  crlThisUpdate: 'crl-this-update',
  crlNextUpdate: 'crl-next-update',
  crlEntry: (serial: string) => `crl-entry-${serial}`,
  alertsFeed: 'alerts-feed',
  alertRow: 'alert-row',
} as const;
