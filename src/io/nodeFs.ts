/**
 * Node's built-in modules (`fs`, `path`, `os`, `worker_threads`), looked up
 * at call time through `process.getBuiltinModule`, so the modules that use
 * them stay importable in browsers. Only the members of `fs` and `path` this
 * library uses are typed.
 */
import { InvalidArgumentError } from '../errors.js';

export interface FileHandle {
  writeFile(data: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface NodeFs {
  statSync(path: string, options: { throwIfNoEntry: false }): { isDirectory(): boolean } | undefined;
  writeFileSync(path: string, data: Uint8Array): void;
  promises: {
    mkdir(path: string): Promise<unknown>;
    open(path: string, flags: string): Promise<FileHandle>;
    rename(from: string, to: string): Promise<void>;
    readFile(path: string): Promise<Uint8Array>;
    readdir(path: string): Promise<string[]>;
    rm(path: string, options: { force: true }): Promise<void>;
    stat(path: string): Promise<{ isDirectory(): boolean; size: number }>;
  };
}

export type FsPromises = NodeFs['promises'];

export interface NodePath {
  join(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string): string;
}

/** The built-in module `id` (e.g. 'node:os'), or undefined outside Node. */
export function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

/** Node's fs, or an InvalidArgumentError naming `argument` (with what was expected and received) elsewhere. */
export function nodeFs(argument: string, expected: string, received: string): NodeFs {
  const fs = nodeBuiltin<NodeFs>('node:fs');
  if (!fs) throw new InvalidArgumentError(argument, expected, received);
  return fs;
}
