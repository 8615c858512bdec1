/** `@helmlink/ca-server/broker`: the managed Mosquitto process and the broker material the CA writes. */
export {
  ManagedMosquitto,
  mosquittoVersion,
  type ManagedMosquittoOptions,
  type BrokerEvent,
} from './mosquitto';
export { waitForPort, freePort } from '@helmlink/protocol/node';
