// The one link verdict: a member's link can carry traffic when it is administratively up,
// the driver says RUNNING and the carrier is there (LOWER_UP). The daemon, the probe
// detector and `ipmpctl plan` all decide with this function.

export interface LinkFlagsView { up: boolean; running: boolean; lowerUp: boolean }

export function linkUsable(l: LinkFlagsView): boolean {
  return l.up && l.running && l.lowerUp;
}
