/**
 * The option form: one labelled control per option (`data-testid
 * option-<name>`), read as constructor arguments and set from them, with the
 * library's error shown under the control it names.
 */
import { ImageDataGenerator, type ImageDataGeneratorArgs } from '../../src/browser.js';
import { fieldValue } from './literal.js';
import { OPTION_SPECS, type OptionName, type OptionSpec, toCamel, toSnake } from './optionSpecs.js';

/** Each option's default as an argument (the library's config, except zoomRange: its argument 0 is the config's [1, 1]). */
const DEFAULTS: Record<string, unknown> = { ...new ImageDataGenerator().getConfig(), zoomRange: 0 };

/** A literal as a control shows it. */
const show = (v: unknown): string => (Array.isArray(v) ? `[${v.map(show).join(', ')}]` : typeof v === 'string' ? JSON.stringify(v) : String(v));

type Control = { spec: OptionSpec; input: HTMLInputElement | HTMLSelectElement; error: HTMLElement };

function row(spec: OptionSpec): { element: HTMLElement; control: Control } {
  const id = `option-${spec.name}`;
  const element = document.createElement('div');
  element.className = `option ${spec.kind}`;
  let input: HTMLInputElement | HTMLSelectElement;
  if (spec.kind === 'choice') {
    input = document.createElement('select');
    for (const c of spec.choices!) input.add(new Option(String(c), String(c)));
    input.value = String(DEFAULTS[spec.name]);
  } else {
    input = document.createElement('input');
    if (spec.kind === 'flag') input.type = 'checkbox';
    else {
      input.type = 'text';
      input.inputMode = 'decimal';
      input.autocomplete = 'off';
      input.spellcheck = false;
      input.placeholder = DEFAULTS[spec.name] === null ? 'None' : show(DEFAULTS[spec.name]);
    }
  }
  input.id = id;
  input.dataset.testid = id;
  input.name = spec.name;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.innerHTML = `<span class="name"></span> <code class="keras"></code>`;
  label.querySelector('.name')!.textContent = spec.name;
  label.querySelector('.keras')!.textContent = spec.keras ? toSnake(spec.name) : 'not Keras';
  const help = document.createElement('small');
  help.id = `${id}-help`;
  help.textContent = `${spec.help} Default: ${DEFAULTS[spec.name] === null ? 'None' : show(DEFAULTS[spec.name])}.`;
  const error = document.createElement('p');
  error.className = 'error';
  error.id = `${id}-error`;
  error.dataset.testid = `error-${spec.name}`;
  error.setAttribute('aria-live', 'polite');
  input.setAttribute('aria-describedby', `${help.id} ${error.id}`);
  element.append(...(spec.kind === 'flag' ? [input, label] : [label, input]), help, error);
  return { element, control: { spec, input, error } };
}

export class OptionForm {
  private readonly controls = new Map<OptionName, Control>();

  /** Builds the controls into `root`, grouped; `onChange` runs after any edit. */
  constructor(root: HTMLElement, onChange: () => void) {
    const groups = new Map<string, HTMLFieldSetElement>();
    for (const spec of OPTION_SPECS) {
      let fieldset = groups.get(spec.group);
      if (!fieldset) {
        fieldset = document.createElement('fieldset');
        fieldset.append(Object.assign(document.createElement('legend'), { textContent: spec.group }));
        groups.set(spec.group, fieldset);
        root.append(fieldset);
      }
      const { element, control } = row(spec);
      fieldset.append(element);
      this.controls.set(spec.name, control);
      control.input.addEventListener(spec.kind === 'value' ? 'input' : 'change', onChange);
    }
  }

  /**
   * The constructor arguments the controls hold: changed flags and choices,
   * non-empty fields read as literals (text that does not parse is passed as
   * the string, for the library to refuse in its own words).
   */
  read(): ImageDataGeneratorArgs {
    const args: Record<string, unknown> = {};
    for (const [name, { spec, input }] of this.controls) {
      if (spec.kind === 'flag') {
        if ((input as HTMLInputElement).checked) args[name] = true;
      } else if (spec.kind === 'choice') {
        const value = typeof DEFAULTS[name] === 'number' ? Number(input.value) : input.value;
        if (value !== DEFAULTS[name]) args[name] = value;
      } else if (input.value.trim() !== '') {
        args[name] = fieldValue(input.value);
      }
    }
    return args as ImageDataGeneratorArgs;
  }

  /** Sets every control from `args` (options not in it go back to their defaults). */
  write(args: ImageDataGeneratorArgs): void {
    const given = args as Record<string, unknown>;
    for (const [name, { spec, input }] of this.controls) {
      const v = given[name];
      if (spec.kind === 'flag') (input as HTMLInputElement).checked = v === true;
      else if (spec.kind === 'choice') input.value = String(v ?? DEFAULTS[name]);
      else input.value = v === undefined || v === null ? '' : show(v);
    }
  }

  /**
   * Shows `message` under the control its error names (`zoomRange`,
   * `config.zoom_range`, `featurewiseCenter` ...) and returns true; false
   * when no control matches (the caller shows it elsewhere). Null clears all.
   */
  showError(argument: string | null, message = ''): boolean {
    for (const { input, error } of this.controls.values()) {
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    }
    if (argument === null) return true;
    const head = /^(?:config\.)?([A-Za-z_]+)/.exec(argument)?.[1] ?? '';
    const control = this.controls.get(toCamel(head) as OptionName);
    if (!control) return false;
    control.error.textContent = message;
    control.input.setAttribute('aria-invalid', 'true');
    return true;
  }
}
