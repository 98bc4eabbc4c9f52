import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Namespaces, veths and timing-sensitive traffic: one file at a time.
          fileParallelism: false,
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Debian guests under QEMU (test/vm/, docs/testing.md "The VM lab"): one boot per
          // file, several scenarios per boot. After the other projects (groupOrder), so two
          // emulated CPUs do not slow their timing-sensitive namespace tests.
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 900_000,
          // beforeAll may build the guest image (debootstrap: minutes) and boots two guests.
          hookTimeout: 1_200_000,
        },
      },
    ],
  },
});
