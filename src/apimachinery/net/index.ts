/** Shared IP address library: addresses, ranges, prefixes and range sets (IPv4 and IPv6, bigint based). */
export * from './ip.js';
export * from './range-set.js';
