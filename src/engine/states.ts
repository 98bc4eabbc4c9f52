// The engine's state vocabulary (Solaris ipmpstat terms). The control protocol carries these
// values; the engine owns them, so it never depends on the protocol.

export type GroupState = 'ok' | 'degraded' | 'failed';
export type LinkState = 'up' | 'down' | 'unknown';
export type ProbeState = 'ok' | 'failed' | 'unknown' | 'disabled';
/** 'missing': configured, but no interface has that name (mistyped, renamed away, or not yet created). */
export type InterfaceState = 'ok' | 'failed' | 'unknown' | 'offline' | 'missing';
