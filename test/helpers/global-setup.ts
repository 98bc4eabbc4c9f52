// Removes namespaces that crashed earlier runs left behind (their creator process is gone),
// before and after the suite. Namespaces of a run still in progress are left alone.
import { deleteNamespace, orphanedTestNamespaces, requireNetnsSupport } from './netns.js';

export default function setup(): () => void {
  if (!requireNetnsSupport()) {
    console.warn('integration tests: not root, they will be skipped (outside CI only)');
    return () => {};
  }
  for (const n of orphanedTestNamespaces()) deleteNamespace(n);
  return () => {
    for (const n of orphanedTestNamespaces()) deleteNamespace(n);
  };
}
