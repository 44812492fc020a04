/** Service-account tokens: signing keys, issuing, authenticating, TokenRequest and TokenReview. */
export * from './keys.js';
export * from './token.js';
export * from './authenticator.js';
export * from './token-request.js';
export * from './token-review.js';
export * from './lookups.js';
export * from './legacy-token-secret.js';
export * from './openid.js';
