// A labelled determinate progress bar (native <progress>, so assistive tech reads its value), or an indeterminate
// one when the total is not known.
export function ProgressBar(props: { label: string; value: number; max: number; text?: string }) {
  const known = props.max > 0;
  return (
    <div className="progress">
      <div className="progress-labels">
        <span className="progress-label">{props.label}</span>
        {props.text && <span className="progress-text tabular">{props.text}</span>}
      </div>
      <progress className="progress-bar" aria-label={props.label} value={known ? Math.min(props.value, props.max) : undefined} max={known ? props.max : undefined} />
    </div>
  );
}
