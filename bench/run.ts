// `npm run bench [name...]`: runs the listed benchmark modules (all by default). Each
// module exports run(), which measures, writes its result file and returns the numbers.
interface BenchModule { run(): Promise<Record<string, unknown>> }

/** Benchmarks by name; append yours here. */
const BENCHES: Record<string, () => Promise<BenchModule>> = {
  netlink: () => import('./netlink.js'),
  daemon: () => import('./daemon.js'),
  probe: () => import('./probe.js'),
  control: () => import('./control.js'),
  repair: () => import('./repair.js'),
  reload: () => import('./reload.js'),
  chaos: () => import('./chaos.js'),
  footprint: () => import('./footprint.js'),
  failback: () => import('./failback.js'),
  transitive: () => import('./transitive.js'),
  vm: () => import('./vm.js'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in BENCHES));
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  let failed = 0;
  for (const name of names) {
    const load = BENCHES[name];
    if (!load) continue;
    try {
      await (await load()).run();
    } catch (e) {
      failed++;
      console.error(`bench ${name} failed:`, e);
    }
  }
  if (failed) process.exitCode = 1;
}

await main();
