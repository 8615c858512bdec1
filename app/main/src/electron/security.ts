/** The app origin the console is served from (custom, privileged, standard scheme). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'helmlink';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
