// RtnlClient: request/response rtnetlink on its own socket (ext-ack, capped ACKs, strict
// checking). Every method is one request (or dump); `batch` packs many into one sendmsg.
import { AF_UNSPEC, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE } from './constants.js';
import { decodeAddress } from './address.js';
import { type ConnectionOptions, NlConnection, type Request } from './connection.js';
import { NetlinkError } from './errors.js';
import { decodeLinkMsg, toLink } from './link.js';
import { decodeNeighbour } from './neighbour.js';
import type { NlMsg } from './nlmsg.js';
import * as req from './requests.js';
import { decodeRoute } from './route.js';
import type { Address, AddressSpec, Family, Link, LinkChange, Neighbour, Route, RouteSpec } from './types.js';

export type { MacvlanMode } from './requests.js';

export type BatchOp =
  | { op: 'addAddress' | 'replaceAddress' | 'deleteAddress'; spec: AddressSpec }
  | { op: 'addRoute' | 'replaceRoute' | 'deleteRoute'; spec: RouteSpec }
  | { op: 'setLink'; index: number; change: LinkChange };

export interface RtnlClientOptions {
  /** Namespace to open the socket in (e.g. /run/netns/NAME). */
  netns?: string;
  /** Receive buffer bytes; batches need room for their ACKs (default 4 MiB). */
  rcvbuf?: number;
  /** Per-request time limit in ms (default 30 s). */
  requestTimeoutMs?: number;
}

const DEFAULT_RCVBUF = 4 * 1024 * 1024;
const ENODEV = 19;

function decodeAll<T>(msgs: NlMsg[], type: number, decode: (p: Buffer) => T | undefined): T[] {
  const out: T[] = [];
  for (const m of msgs) {
    if (m.type !== type) continue;
    const v = decode(m.payload);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** Links of AF_UNSPEC only: AF_BRIDGE port messages describe the same link again. */
function decodeLinks(msgs: NlMsg[]): Link[] {
  return decodeAll(msgs, RTM_NEWLINK, (p) => {
    const m = decodeLinkMsg(p);
    return m.family === AF_UNSPEC ? toLink(m) : undefined;
  });
}

export class RtnlClient {
  private current: NlConnection;

  private constructor(conn: NlConnection, private readonly reopen?: () => NlConnection) {
    this.current = conn;
  }

  static open(opts: RtnlClientOptions = {}): RtnlClient {
    const o: ConnectionOptions = { rcvbuf: opts.rcvbuf ?? DEFAULT_RCVBUF, strict: true };
    if (opts.netns !== undefined) o.netns = opts.netns;
    if (opts.requestTimeoutMs !== undefined) o.requestTimeoutMs = opts.requestTimeoutMs;
    const connect = (): NlConnection => NlConnection.open(o);
    return new RtnlClient(connect(), connect);
  }

  /** For tests: a client over any connection (e.g. a fake kernel). */
  static fromConnection(conn: NlConnection): RtnlClient { return new RtnlClient(conn); }

  /** The connection, replaced by a new socket if the old one stopped (poll error). */
  private get conn(): NlConnection {
    if (this.current.isBroken && !this.current.isClosed && this.reopen) {
      this.current.close();
      this.current = this.reopen();
    }
    return this.current;
  }

  get portId(): number { return this.conn.portId; }
  /** Request, sendmsg and dump counters (interruptedDumps counts NLM_F_DUMP_INTR retries). */
  get stats(): Readonly<NlConnection['stats']> { return this.conn.stats; }

  close(): void { this.current.close(); }

  // --- links --------------------------------------------------------------------------

  async listLinks(): Promise<Link[]> {
    return decodeLinks(await this.conn.dump(req.linkDump()));
  }

  async getLink(index: number): Promise<Link | undefined> {
    return this.getOne(req.linkGet(index));
  }

  async getLinkByName(name: string): Promise<Link | undefined> {
    return this.getOne(req.linkGetByName(name));
  }

  private async getOne(r: Request): Promise<Link | undefined> {
    try {
      return decodeLinks([await this.conn.get(r)])[0];
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return undefined;
      throw e;
    }
  }

  createVeth(name: string, peer: string): Promise<void> { return this.conn.ack(req.vethCreate(name, peer)); }
  createBridge(name: string): Promise<void> { return this.conn.ack(req.bridgeCreate(name)); }
  createVlan(name: string, parentIndex: number, vlanId: number): Promise<void> {
    return this.conn.ack(req.vlanCreate(name, parentIndex, vlanId));
  }
  createMacvlan(name: string, parentIndex: number, mode?: req.MacvlanMode): Promise<void> {
    return this.conn.ack(req.macvlanCreate(name, parentIndex, mode));
  }
  deleteLink(index: number): Promise<void> { return this.conn.ack(req.linkDelete(index)); }
  setLink(index: number, change: LinkChange): Promise<void> { return this.conn.ack(req.linkSet(index, change)); }

  // --- addresses ----------------------------------------------------------------------

  async listAddresses(family?: Family): Promise<Address[]> {
    const all = decodeAll(await this.conn.dump(req.addressDump(family)), RTM_NEWADDR, decodeAddress);
    return family === undefined ? all : all.filter((a) => a.family === family);
  }

  addAddress(a: AddressSpec): Promise<void> { return this.conn.ack(req.addressAdd(a)); }
  replaceAddress(a: AddressSpec): Promise<void> { return this.conn.ack(req.addressReplace(a)); }
  deleteAddress(a: AddressSpec): Promise<void> { return this.conn.ack(req.addressDelete(a)); }

  // --- routes -------------------------------------------------------------------------

  /** Routes of one or both families; `table` filters (default: all tables). */
  async listRoutes(family?: Family, table?: number): Promise<Route[]> {
    const families: Family[] = family === undefined ? [4, 6] : [family];
    const out: Route[] = [];
    for (const f of families) {
      const routes = decodeAll(await this.conn.dump(req.routeDump(f, table)), RTM_NEWROUTE, decodeRoute);
      // The kernel filters under strict checking; filter again so the result never depends on it.
      out.push(...routes.filter((r) => r.family === f && (table === undefined || r.table === table)));
    }
    return out;
  }

  addRoute(r: RouteSpec): Promise<void> { return this.conn.ack(req.routeAdd(r)); }
  replaceRoute(r: RouteSpec): Promise<void> { return this.conn.ack(req.routeReplace(r)); }
  deleteRoute(r: RouteSpec): Promise<void> { return this.conn.ack(req.routeDelete(r)); }

  // --- neighbours ---------------------------------------------------------------------

  async listNeighbours(family?: Family): Promise<Neighbour[]> {
    const all = decodeAll(await this.conn.dump(req.neighDump(family)), RTM_NEWNEIGH, decodeNeighbour);
    return family === undefined ? all : all.filter((n) => n.family === family);
  }

  // --- batches ------------------------------------------------------------------------

  /** Many change requests in few sendmsg calls; one entry per op: undefined = ACK, or the NetlinkError. */
  batch(ops: readonly BatchOp[]): Promise<(NetlinkError | undefined)[]> {
    return this.conn.batch(ops.map(batchRequest));
  }
}

export function batchRequest(o: BatchOp): Request {
  switch (o.op) {
    case 'addAddress': return req.addressAdd(o.spec);
    case 'replaceAddress': return req.addressReplace(o.spec);
    case 'deleteAddress': return req.addressDelete(o.spec);
    case 'addRoute': return req.routeAdd(o.spec);
    case 'replaceRoute': return req.routeReplace(o.spec);
    case 'deleteRoute': return req.routeDelete(o.spec);
    case 'setLink': return req.linkSet(o.index, o.change);
  }
}
