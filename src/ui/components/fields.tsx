// Form fields with a visible label, one line of help and an error line, tied together with aria-describedby and
// aria-invalid. Number fields keep what was typed (so "0." or "1e-" can be typed) and hand on a number, null for
// an emptied optional field, or the raw text when it is not a number (validation then says what is wrong).
import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';

interface FieldShell {
  label: string;
  help?: ReactNode;
  error?: string | null;
}

function Shell(props: FieldShell & { id: string; children: ReactNode; inline?: boolean }) {
  return (
    <div className={`field ${props.inline ? 'field-inline' : ''} ${props.error ? 'has-error' : ''}`}>
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      {props.children}
      <FieldNotes {...props} />
    </div>
  );
}

/** The help and error lines under a field, with the ids aria-describedby points at. */
function FieldNotes(props: FieldShell & { id: string }) {
  return (
    <>
      {props.help && (
        <p className="field-help" id={`${props.id}-help`}>
          {props.help}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </>
  );
}

function describedBy(id: string, props: FieldShell): string | undefined {
  const ids = [props.help ? `${id}-help` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids === '' ? undefined : ids;
}

/** A one-line text input tied to its field's label, help and error. */
function TextInput({ field, ...input }: { field: FieldShell; id: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'>) {
  return (
    <input
      className="input"
      type="text"
      autoComplete="off"
      spellCheck={false}
      aria-invalid={field.error ? true : undefined}
      aria-describedby={describedBy(input.id, field)}
      {...input}
    />
  );
}

/** What is typed stays as typed while the field has focus; outside changes (a preset, a reset) show otherwise. */
function useTypedText(shown: string) {
  const [text, setText] = useState(shown);
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    if (!focused) setText(shown);
  }, [shown, focused]);
  return { text, setText, onFocus: () => setFocused(true), onBlur: () => setFocused(false) };
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

export function NumberField(
  props: FieldShell & {
    value: unknown;
    onChange: (value: unknown) => void;
    /** Emptying the field means null (e.g. "model default", "off"); the placeholder says what. */
    nullable?: boolean;
    placeholder?: string;
    min?: number;
    max?: number;
    step?: number | 'any';
    disabled?: boolean;
  },
) {
  const id = useId();
  const { text, setText, onFocus, onBlur } = useTypedText(display(props.value));
  return (
    <Shell {...props} id={id}>
      <TextInput
        field={props}
        id={id}
        inputMode="decimal"
        value={text}
        placeholder={props.placeholder}
        disabled={props.disabled}
        onFocus={onFocus}
        onBlur={onBlur}
        onChange={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          const trimmed = next.trim();
          if (trimmed === '' && props.nullable) props.onChange(null);
          else if (trimmed !== '' && Number.isFinite(Number(trimmed))) props.onChange(Number(trimmed));
          else props.onChange(next);
        }}
      />
    </Shell>
  );
}

export function SelectField<T extends string>(
  props: FieldShell & { value: T; options: readonly { value: T; label: string }[]; onChange: (value: T) => void; disabled?: boolean },
) {
  const id = useId();
  return (
    <Shell {...props} id={id}>
      <select
        id={id}
        className="input select"
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(e) => props.onChange(e.currentTarget.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

export function CheckboxField(props: FieldShell & { checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className={`field field-check ${props.error ? 'has-error' : ''}`}>
      <label className="check-label" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          aria-describedby={describedBy(id, props)}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />
        <span className="field-label">{props.label}</span>
      </label>
      <FieldNotes {...props} id={id} />
    </div>
  );
}

export function TextField(props: FieldShell & { value: string; onChange: (value: string) => void; placeholder?: string }) {
  const id = useId();
  return (
    <Shell {...props} id={id}>
      <TextInput field={props} id={id} value={props.value} placeholder={props.placeholder} onChange={(e) => props.onChange(e.currentTarget.value)} />
    </Shell>
  );
}

/** A range slider with its value shown beside it. */
export function SliderField(props: FieldShell & { value: number; min: number; max: number; step: number; onChange: (value: number) => void; format?: (v: number) => string; disabled?: boolean }) {
  const id = useId();
  const text = props.format ? props.format(props.value) : String(props.value);
  return (
    <Shell {...props} id={id}>
      <div className="slider-row">
        <input
          id={id}
          type="range"
          className="slider"
          min={props.min}
          max={props.max}
          step={props.step}
          value={props.value}
          disabled={props.disabled}
          aria-valuetext={text}
          aria-describedby={describedBy(id, props)}
          onChange={(e) => props.onChange(Number(e.currentTarget.value))}
        />
        <output className="slider-value tabular" htmlFor={id}>
          {text}
        </output>
      </div>
    </Shell>
  );
}

/** A comma-separated list; what is typed stays as typed (a trailing comma included) while the field has focus. */
export function ListField(props: FieldShell & { value: unknown; onChange: (value: string[]) => void; placeholder?: string }) {
  const id = useId();
  const { text, setText, onFocus, onBlur } = useTypedText(Array.isArray(props.value) ? props.value.join(', ') : '');
  return (
    <Shell {...props} id={id}>
      <TextInput
        field={props}
        id={id}
        value={text}
        placeholder={props.placeholder}
        onFocus={onFocus}
        onBlur={onBlur}
        onChange={(e) => {
          setText(e.currentTarget.value);
          props.onChange(
            e.currentTarget.value
              .split(',')
              .map((x) => x.trim())
              .filter((x) => x !== ''),
          );
        }}
      />
    </Shell>
  );
}
