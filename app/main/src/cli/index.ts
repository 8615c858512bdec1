export { consoleCommand } from './console-command';
