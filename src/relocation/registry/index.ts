/** The built-in OCI distribution registry. */
export { startRegistry, parseListen, DEFAULT_LISTEN, type RegistryOptions, type RegistryTls, type RunningRegistry } from './server.js';
export { RegistryHandler, type RegistryLogger, type RegistryHandlerOptions } from './handler.js';
export { RegistryStorage } from './storage.js';
export { UploadSessions } from './uploads.js';
export { RegistryError, type RegistryErrorCode, type RegistryErrorBody } from './errors.js';
export { HtpasswdAuthenticator, HtpasswdError, parseHtpasswd } from './htpasswd.js';
export { MEDIA_TYPES, parseManifest } from './manifest.js';
