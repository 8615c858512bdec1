/** Waiting for conditions (never sleep-and-hope): the shared test helper. */
export { until } from '@helmlink/protocol/testkit';
