/**
 * The one channel every warning goes through (Keras uses Python's
 * `warnings.warn`). By default warnings go to `console.warn`; users can
 * capture or silence them with `setWarningHandler`.
 */

/** A warning: a stable `code` for filtering and a human-readable `message`. */
export interface GeneratorWarning {
  code: 'option-override' | 'channel-count' | 'bad-image' | 'link-loop';
  message: string;
}

export type WarningHandler = (warning: GeneratorWarning) => void;

const consoleHandler: WarningHandler = (w) => console.warn(`[tfjs-image-data-generator] ${w.message}`);
let handler: WarningHandler = consoleHandler;

/**
 * Routes every warning to `fn`; `null` silences them, no argument restores
 * `console.warn`. Returns the previous handler so callers can restore it.
 */
export function setWarningHandler(fn?: WarningHandler | null): WarningHandler {
  const previous = handler;
  handler = fn === undefined ? consoleHandler : (fn ?? (() => {}));
  return previous;
}

/** Emits a warning through the current handler. */
export function warn(code: GeneratorWarning['code'], message: string): void {
  handler({ code, message });
}
