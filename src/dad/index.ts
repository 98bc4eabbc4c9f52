// Duplicate address detection: ConflictWatch reports foreign claims on our addresses.
export * from './conflict-watch.js';
export * from './rate-limit.js';
export * from './sockets.js';
