/**
 * How to start the worker module `name` that sits beside the module at
 * `beside` (its import.meta.url): the built `.js`, or, from TypeScript sources
 * (tests, tsx), through this folder's bootstrap, which registers tsx first.
 */
export function workerEntry(name: string, beside: string, workerData: Record<string, unknown> = {}): { url: URL; workerData: Record<string, unknown> } {
  if (!beside.endsWith('.ts')) return { url: new URL(`./${name}.js`, beside), workerData };
  return { url: new URL('./sourceWorker.mjs', import.meta.url), workerData: { entry: new URL(`./${name}.ts`, beside).href, ...workerData } };
}
