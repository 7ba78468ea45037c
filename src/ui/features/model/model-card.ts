// What a model card (README.md) says at a glance: its first heading and its first paragraph of prose, as plain
// text. YAML front matter (the Hub's metadata), HTML, tables, lists, code, images and badges are skipped; Markdown links
// and emphasis are reduced to their text. Pure, so it is unit-tested; the card itself is rendered as text only.

/** Longest summary shown; the whole card is one click away. */
const SUMMARY_CHARS = 400;

function withoutFrontMatter(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[0]?.trim() !== '---') return lines.join('\n');
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  return end < 0 ? lines.join('\n') : lines.slice(end + 1).join('\n');
}

/** Markdown inline syntax reduced to its text: [text](url) -> text, **b**, _i_, `code` -> b, i, code. */
function plainInline(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}

export function modelCardSummary(text: string): { title: string | null; summary: string | null } {
  const blocks: string[] = [];
  let fenced = false;
  let block: string[] = [];
  const close = () => {
    if (block.length > 0) blocks.push(block.join('\n'));
    block = [];
  };
  for (const line of withoutFrontMatter(text).split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      close();
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    if (line.trim() === '') close();
    else if (/^\s{0,3}#{1,6}\s/.test(line)) {
      close();
      blocks.push(line);
    } else block.push(line);
  }
  close();
  let title: string | null = null;
  for (const b of blocks) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(b);
    if (heading) {
      title ??= plainInline(heading[1]) || null;
      continue;
    }
    if (/^\s*(<|\||>|!\[|\[!\[|[-*+]\s|\d+\.\s)/.test(b)) continue;
    const prose = plainInline(b);
    if (prose === '') continue;
    const summary = prose.length > SUMMARY_CHARS ? `${prose.slice(0, SUMMARY_CHARS - 1).trimEnd()}…` : prose;
    return { title, summary };
  }
  return { title, summary: null };
}
