// Configurations shared by several end-to-end tests.

/** Two active NICs, a test address on each, one data address homed on eth0, one router. */
export const twoNicGroup = (extraTopLevel = ''): string => `
defaultRouters: [192.0.2.254]
${extraTopLevel}
groups:
  - name: g
    announce: { arpCount: 1, arpIntervalMs: 1000 }
    interfaces:
      - { name: eth0, testAddresses: [192.0.2.10/24] }
      - { name: eth1, testAddresses: [192.0.2.11/24] }
    dataAddresses:
      - { address: 192.0.2.100/24, interface: eth0 }
`;
