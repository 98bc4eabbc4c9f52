// Removes namespaces a crashed earlier run may have left, before and after the suite.
import { deleteNamespace, listTestNamespaces, requireNetnsSupport } from './netns.js';

export default function setup(): () => void {
  if (!requireNetnsSupport()) {
    console.warn('integration tests: not root, they will be skipped (outside CI only)');
    return () => {};
  }
  for (const n of listTestNamespaces()) deleteNamespace(n);
  return () => {
    for (const n of listTestNamespaces()) deleteNamespace(n);
  };
}
