// Each package adds its commands here, one `register` call per command; loading stays lazy.
import { register } from './commands';

register('version', 'Print the Helmlink version', async () => (await import('./version')).versionCommand);
