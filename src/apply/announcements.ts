// The one place an announcement series is built: which frame kind, how many, how far apart.
// The writer's ordinary runs, the armed fast path and re-announcements all use it.
import type { AnnounceSettings } from '../config/model.js';
import type { Announcement } from './announcer.js';

export interface AnnouncingLink { index: number; name: string; mac?: string | undefined }

/** The series for `address` on `link`, or undefined when the link has no MAC to announce from. */
export function announcementFor(link: AnnouncingLink, family: 4 | 6, address: string, s: AnnounceSettings): Announcement | undefined {
  if (!link.mac) return undefined;
  return {
    ifname: link.name, ifindex: link.index, mac: link.mac, family, address,
    count: family === 4 ? s.arpCount : s.naCount,
    intervalMs: family === 4 ? s.arpIntervalMs : s.naIntervalMs,
  };
}
