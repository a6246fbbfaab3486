/**
 * Reads the literals a user pastes as a generator config: JSON, a Python
 * kwargs dict (`{'rotation_range': 40}`, `dict(rotation_range=40)`), a Python
 * call `ImageDataGenerator(rotation_range=40, rescale=1./255)` or the
 * TypeScript `new ImageDataGenerator({ rotationRange: 40 })`. Values are
 * numbers (with `/` between numbers, as in `1./255`), strings, booleans,
 * None/null, lists, tuples and dicts; comments (`#`, `//`) are skipped.
 */

export type Literal = number | string | boolean | null | Literal[] | { [key: string]: Literal };

/** A config text that does not parse, with the offset of the problem. */
export class LiteralSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at character ${offset + 1})`);
    this.name = 'LiteralSyntaxError';
  }
}

type Token = { kind: 'number' | 'string' | 'name' | 'punct'; text: string; value?: number | string; at: number };

const TOKEN = /\s+|#[^\n]*|\/\/[^\n]*|(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|([A-Za-z_$][\w$]*)|([()[\]{},:=/.+\-;])/y;

/** The tokens of `text` from offset `from`. */
function tokenize(text: string, from = 0): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = from;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new LiteralSyntaxError(`unexpected ${JSON.stringify(text[at])}`, at);
    if (m[1] !== undefined) tokens.push({ kind: 'number', text: m[1], value: Number(m[1]), at });
    else if (m[2] !== undefined) tokens.push({ kind: 'string', text: m[2], value: unquote(m[2], at), at });
    else if (m[3] !== undefined) tokens.push({ kind: 'name', text: m[3], at });
    else if (m[4] !== undefined) tokens.push({ kind: 'punct', text: m[4], at });
  }
  return tokens;
}

/** A quoted string's value (at offset `at`), with JSON's escapes (a single-quoted one may hold `\\'` and bare `"`). */
function unquote(quoted: string, at: number): string {
  const json = quoted[0] === '"' ? quoted : `"${quoted.slice(1, -1).replace(/\\'/g, "'").replace(/\\?"/g, '\\"')}"`;
  try {
    return JSON.parse(json) as string;
  } catch {
    throw new LiteralSyntaxError('a string with an escape JSON does not have', at);
  }
}

const CONSTANTS: Record<string, Literal> = { True: true, False: false, None: null, true: true, false: false, null: null };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly end: number) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private fail(message: string): never {
    throw new LiteralSyntaxError(message, this.peek()?.at ?? this.end);
  }

  private accept(text: string): boolean {
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === text) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    if (!this.accept(text)) this.fail(`expected ${JSON.stringify(text)}`);
  }

  /** Entries up to `close`, separated by commas (a trailing comma allowed). */
  private list<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.accept(close)) {
      out.push(item());
      if (!this.accept(',')) {
        this.expect(close);
        break;
      }
    }
    return out;
  }

  value(): Literal {
    let v = this.unary();
    while (this.accept('/')) {
      const d = this.unary();
      if (typeof v !== 'number' || typeof d !== 'number') this.fail('"/" divides numbers only');
      v = v / d;
    }
    return v;
  }

  private unary(): Literal {
    if (this.accept('-')) {
      const v = this.unary();
      return typeof v === 'number' ? -v : this.fail('"-" before a non-number');
    }
    if (this.accept('+')) return this.unary();
    const t = this.peek() ?? this.fail('unexpected end of text');
    if (t.kind === 'number' || t.kind === 'string') {
      this.i++;
      return t.value!;
    }
    if (t.kind === 'name') {
      if (Object.hasOwn(CONSTANTS, t.text)) {
        this.i++;
        return CONSTANTS[t.text]!;
      }
      return this.call();
    }
    if (this.accept('[')) return this.list(']', () => this.value());
    if (this.accept('(')) {
      // A parenthesized value, or a tuple (read as a list).
      const items = this.list(')', () => this.value());
      return items.length === 1 && this.tokens[this.i - 2]?.text !== ',' ? items[0]! : items;
    }
    if (this.accept('{')) return this.dict();
    return this.fail(`unexpected ${JSON.stringify(t.text)}`);
  }

  private dict(): { [key: string]: Literal } {
    const out: { [key: string]: Literal } = {};
    this.list('}', () => {
      const t = this.peek();
      if (!t || (t.kind !== 'string' && t.kind !== 'name')) this.fail('expected a key');
      this.i++;
      this.expect(':');
      out[t.kind === 'string' ? (t.value as string) : t.text] = this.value();
    });
    return out;
  }

  /**
   * `name(k=v, ...)` (Python keyword arguments) or `name({...})` (one dict,
   * as the TypeScript constructor takes): the arguments as a dict. `new` and
   * dotted names (`keras.preprocessing.image.ImageDataGenerator`) are allowed.
   */
  call(): { [key: string]: Literal } {
    if (this.peek()?.text === 'new') this.i++;
    do {
      if (this.peek()?.kind !== 'name') this.fail('expected a name');
      this.i++;
    } while (this.accept('.'));
    this.expect('(');
    if (this.accept('{')) {
      const arg = this.dict();
      this.accept(',');
      this.expect(')');
      return arg;
    }
    const out: { [key: string]: Literal } = {};
    this.list(')', () => {
      const t = this.peek();
      if (t?.kind !== 'name') this.fail('expected a keyword argument (name=value)');
      this.i++;
      this.expect('=');
      out[t.text] = this.value();
    });
    return out;
  }

  /** The whole text as one value; `;` may end it. */
  done<T>(v: T): T {
    this.accept(';');
    if (this.peek()) this.fail(`unexpected ${JSON.stringify(this.peek()!.text)} after the value`);
    return v;
  }

  atEnd(): boolean {
    return this.peek() === undefined;
  }
}

/** Parses one literal value (a control's text, such as `0.2`, `[0.8, 1.2]` or `1/255`). */
export function parseLiteral(text: string): Literal {
  const p = new Parser(tokenize(text), text.length);
  return p.done(p.value());
}

/**
 * Parses pasted config text to a dict of options: the first
 * `ImageDataGenerator(...)` call in the text (lines before it, such as
 * imports and `datagen =`, are skipped), else the whole text as a dict.
 */
export function parseConfigText(text: string): { [key: string]: Literal } {
  const call = /(?:\bnew\s+)?\b[\w.]*ImageDataGenerator\s*\(/.exec(text);
  const p = new Parser(tokenize(text, call?.index ?? 0), text.length);
  if (p.atEnd()) throw new LiteralSyntaxError('the text is empty', 0);
  const v = p.done(call ? p.call() : p.value());
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new LiteralSyntaxError('expected a dict of options or an ImageDataGenerator(...) call', 0);
  return v;
}

/** A form field's value: its literal, or the text itself when it does not parse (for the library to refuse in its own words). */
export function fieldValue(text: string): Literal {
  try {
    return parseLiteral(text);
  } catch (e) {
    if (e instanceof LiteralSyntaxError) return text;
    throw e;
  }
}
