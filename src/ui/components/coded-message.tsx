// A message with its stable code: the sentence first, in the user's words, and the code on a quiet details line
// below it (for a bug report or a search), never as the headline.
export function CodedMessage(props: { code: string; message: string; where?: string }) {
  return (
    <>
      <span className="coded-message">
        <bdi>{props.message}</bdi>
      </span>
      <span className="code-line">
        <code>{props.code}</code>
        {props.where && (
          <>
            {' · '}
            <bdi>{props.where}</bdi>
          </>
        )}
      </span>
    </>
  );
}
