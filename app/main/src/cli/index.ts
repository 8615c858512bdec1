export { consoleCommand } from './console-command';
export { mintLinksOnEnter } from './links-on-enter';
