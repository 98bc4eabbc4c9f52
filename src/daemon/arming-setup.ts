// Native arming at start (issue 14): failover plans sent by native code on carrier loss. When it
// is disabled or its sockets cannot be opened, the writer fires plans from JavaScript instead.
import type { Announcer } from '../apply/announcer.js';
import { NativeArming } from '../apply/native-arming.js';
import type { KernelWriter } from '../apply/writer.js';
import type { Logger } from '../log.js';

export function openNativeArming(writer: KernelWriter, announcer: Announcer, log: Logger): NativeArming | undefined {
  if (process.env.IPMPD_NATIVE_ARMING === '0') {
    log.info('native arming disabled (IPMPD_NATIVE_ARMING=0); failover plans fire from JavaScript');
    return undefined;
  }
  try {
    const arming = new NativeArming({ packetSocket: announcer.packetSocket, log: log.child({ component: 'arming' }) });
    writer.useNativeArming(arming, (a) => announcer.continueAfterFirst(a));
    return arming;
  } catch (err) {
    log.warn({ err }, 'cannot open the native arming sockets; failover plans fire from JavaScript');
    return undefined;
  }
}
