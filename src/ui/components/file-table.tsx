// A table of files and their sizes (the loaded checkpoint, the exported zip). Names come from user files, so they
// are rendered as text inside <bdi>, never as HTML.
import { formatBytes } from '../format';

export function FileTable({ files, label }: { files: readonly { name: string; size: number }[]; label: string }) {
  return (
    <table className="data-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col" className="numeric">
            Size
          </th>
        </tr>
      </thead>
      <tbody>
        {files.map((f) => (
          <tr key={f.name}>
            <td>
              <bdi>{f.name}</bdi>
            </td>
            <td className="numeric tabular">{formatBytes(f.size)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
