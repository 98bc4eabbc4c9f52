// Reading and writing the native YAML configuration. Errors point at the YAML source:
// `file:line:column` plus the field path, e.g. "groups.0.interfaces.1.name: ...".

import { Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { FindingSink } from './findings.js';
import { normalizeCidr, normalizeIp } from './ip-address.js';
import { findingsFromNotes } from './migration-notes.js';
import { type Locator, type ModelPath, checkModel } from './model-checks.js';
import { DEFAULT_ANNOUNCE, type Finding, type GroupConfig, type InterfaceConfig, type IpmpConfig } from './model.js';
import { configSchema, type ConfigParsed } from './yaml-schema.js';

export interface YamlParseResult {
  config: IpmpConfig | null;
  findings: Finding[];
}

/** Position of a model path in the YAML document (nearest existing ancestor if missing). */
function yamlLocator(doc: Document, lc: LineCounter, file: string): (path: ModelPath, key?: string) => { file: string; line: number; column?: number } {
  return (path, key) => {
    const at = (offset: number): { file: string; line: number; column: number } => {
      const p = lc.linePos(offset);
      return { file, line: p.line, column: p.col };
    };
    if (key !== undefined) {
      const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === key);
        if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
      }
    }
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return { file, line: 1, column: 1 };
  };
}

function issueText(issue: z.core.$ZodIssue, present: boolean): string {
  if (issue.code === 'invalid_type' && !present) return 'is required';
  return issue.message;
}

/**
 * The configuration in a YAML text, with what is wrong in it: the checks' findings, and the
 * findings ipmpctl migrate left as comments (migration-notes.ts) that the checks do not
 * report again at the same element.
 */
export function parseYamlConfig(text: string, file: string): YamlParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const r = checkYamlDocument(doc, lc, file);
  // The checks find again what is wrong in the model itself (a single-member group, ...):
  // such a note is not repeated when the same code is reported for the element below it.
  const notes = findingsFromNotes(text, file)
    .filter((n) => !r.findings.some((f) => f.code === n.finding.code && f.line === n.above))
    .map((n) => n.finding);
  return { config: r.config, findings: [...notes, ...r.findings] };
}

function checkYamlDocument(doc: Document, lc: LineCounter, file: string): YamlParseResult {
  const sink = new FindingSink();
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    sink.add('YAML_SYNTAX', file, pos.line, e.message.split('\n')[0]!, pos.col);
  }
  if (doc.errors.length > 0) return { config: null, findings: sink.list };
  const locate = yamlLocator(doc, lc, file);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml reports bad aliases (unresolved, alias bombs) only when converting.
    sink.add('YAML_SYNTAX', file, 1, (e as Error).message, 1);
    return { config: null, findings: sink.list };
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const at = locate(path, k);
          sink.add('YAML_SCHEMA', at.file, at.line, `${[...path, k].join('.')}: unknown key "${k}"`, at.column);
        }
        continue;
      }
      const at = locate(path);
      const label = path.length > 0 ? path.join('.') : '(document)';
      sink.add('YAML_SCHEMA', at.file, at.line, `${label}: ${issueText(issue, path.length === 0 || doc.hasIn(path))}`, at.column);
    }
    return { config: null, findings: sink.list };
  }
  const v = parsed.data;
  const groups: GroupConfig[] = v.groups.map((g, gi) => {
    const anyStandby = g.interfaces.some((i) => i.standby);
    const derived = anyStandby ? 'active-standby' : 'outbound-spread';
    if (g.mode !== undefined && g.mode !== derived) {
      const at = locate(['groups', gi, 'mode']);
      sink.add('MODE_INCONSISTENT', at.file, at.line,
        `groups.${gi}.mode: "${g.mode}" contradicts the members: ${anyStandby ? 'a standby member makes the group active-standby' : 'no member is standby, so the group is outbound-spread'}`, at.column);
    }
    return {
      name: g.name,
      mode: derived,
      interfaces: g.interfaces.map(interfaceFromYaml),
      dataAddresses: g.dataAddresses.map((d) => ({ address: normalizeCidr(d.address)!, interface: d.interface, deprecated: d.deprecated, up: d.up })),
      announce: { ...g.announce },
      probe: g.probe,
    };
  });
  const config: IpmpConfig = { mpathd: { ...v.mpathd }, defaultRouters: v.defaultRouters.map((r) => normalizeIp(r)!), groups };
  if (v.anonymous !== undefined) config.anonymous = v.anonymous.map((i) => interfaceFromYaml({ ...i, standby: false }));
  if (v.daemon !== undefined) config.daemon = Object.fromEntries(Object.entries(v.daemon).filter(([, x]) => x !== undefined));
  if (v.metrics !== undefined) config.metrics = { listen: v.metrics.listen };
  if (v.hooks !== undefined) config.hooks = v.hooks.map((h) => ({ exec: h.exec, events: [...h.events], timeoutMs: h.timeoutMs }));
  const locator: Locator = (p) => locate(p);
  checkModel(config, locator, sink, { fromYaml: true });
  return { config, findings: sink.list };
}

function interfaceFromYaml(i: ConfigParsed['groups'][number]['interfaces'][number]): InterfaceConfig {
  const out: InterfaceConfig = { name: i.name, standby: i.standby, testAddresses: i.testAddresses.map((t) => normalizeCidr(t)!) };
  if (i.solarisName !== undefined) out.solarisName = i.solarisName;
  if (i.ipv6LinkLocalTest !== undefined) out.ipv6LinkLocalTest = i.ipv6LinkLocalTest;
  return out;
}

function interfaceToYaml(i: InterfaceConfig, withStandby: boolean): Record<string, unknown> {
  const x: Record<string, unknown> = { name: i.name };
  if (i.solarisName !== undefined) x.solarisName = i.solarisName;
  if (withStandby) x.standby = i.standby;
  x.testAddresses = [...i.testAddresses];
  if (i.ipv6LinkLocalTest !== undefined) x.ipv6LinkLocalTest = i.ipv6LinkLocalTest;
  return x;
}

function sameAnnounce(a: GroupConfig['announce']): boolean {
  return a.arpCount === DEFAULT_ANNOUNCE.arpCount && a.arpIntervalMs === DEFAULT_ANNOUNCE.arpIntervalMs
    && a.naCount === DEFAULT_ANNOUNCE.naCount && a.naIntervalMs === DEFAULT_ANNOUNCE.naIntervalMs && a.refreshMs === undefined
    && a.failbackGraceMs === DEFAULT_ANNOUNCE.failbackGraceMs;
}

/**
 * Comment lines above the node an element path names ("groups.0.dataAddresses.1"), or above
 * its nearest ancestor present in the document; a map entry's comment goes above its key.
 */
function attachComment(doc: Document, element: string, lines: string[]): void {
  const path = element.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (let n = path.length; n > 0; n--) {
    const at = path.slice(0, n);
    const last = at[at.length - 1];
    const parent = n === 1 ? doc.contents : doc.getIn(at.slice(0, -1), true);
    let node: unknown;
    if (typeof last === 'string' && isMap(parent)) node = parent.items.find((it) => isScalar(it.key) && it.key.value === last)?.key;
    else node = doc.getIn(at, true);
    if (isNode(node)) {
      const text = lines.map((l) => ` ${l}`).join('\n');
      node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
      return;
    }
  }
  doc.commentBefore = [doc.commentBefore, ...lines.map((l) => ` ${l}`)].filter(Boolean).join('\n');
}

/** The native YAML for a model; parseYamlConfig(toYaml(c)) gives back c. */
export function toYaml(config: IpmpConfig, opts: { header?: string; notes?: ReadonlyMap<string, string[]> } = {}): string {
  const obj: Record<string, unknown> = {
    mpathd: { ...config.mpathd },
    defaultRouters: [...config.defaultRouters],
    groups: config.groups.map((g) => {
      const out: Record<string, unknown> = { name: g.name, mode: g.mode, probe: g.probe };
      if (!sameAnnounce(g.announce)) out.announce = { ...g.announce };
      out.interfaces = g.interfaces.map((i) => interfaceToYaml(i, true));
      out.dataAddresses = g.dataAddresses.map((d) => ({ address: d.address, interface: d.interface, deprecated: d.deprecated, up: d.up }));
      return out;
    }),
  };
  if (config.anonymous !== undefined) obj.anonymous = config.anonymous.map((i) => interfaceToYaml(i, false));
  if (config.daemon !== undefined) obj.daemon = { ...config.daemon };
  if (config.metrics !== undefined) obj.metrics = { ...config.metrics };
  if (config.hooks !== undefined) obj.hooks = config.hooks.map((h) => ({ ...h, events: [...h.events] }));
  const doc = new Document(obj);
  if (opts.header) doc.commentBefore = opts.header.split('\n').map((l) => ` ${l}`).join('\n');
  for (const [element, lines] of opts.notes ?? []) attachComment(doc, element, lines);
  return doc.toString({ lineWidth: 0 });
}
