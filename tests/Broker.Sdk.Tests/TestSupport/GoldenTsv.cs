using System.Text;

namespace Broker.Sdk.Tests.TestSupport;

/// <summary>
/// Reads the golden TSV captures (golden/native/README.txt, "File formats"): comment lines start with '#',
/// then one header row, then rows. Cells are escaped: <c>\\ \t \n \r</c> and <c>\xNN</c> for other control bytes.
/// </summary>
public sealed class GoldenTsv
{
    private GoldenTsv(string[] header, List<GoldenRow> rows)
    {
        Header = header;
        Rows = rows;
    }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The data rows (comments and blank lines skipped).</summary>
    public IReadOnlyList<GoldenRow> Rows { get; }

    /// <summary>Reads a golden TSV file, e.g. <c>Read("native", "data_samples.values.tsv")</c>.</summary>
    public static GoldenTsv Read(params string[] parts)
    {
        string[]? header = null;
        var rows = new List<GoldenRow>();
        foreach (string line in Golden.ReadLines(parts))
        {
            if (line.StartsWith('#') || line.Trim('\t', ' ').Length == 0)
            {
                continue;
            }

            string[] cells = line.Split('\t');
            if (header is null)
            {
                header = cells;
                continue;
            }

            rows.Add(new GoldenRow(header, cells));
        }

        if (header is null)
        {
            throw new InvalidDataException($"Golden file {string.Join('/', parts)} has no header row.");
        }

        return new GoldenTsv(header, rows);
    }

    /// <summary>Undoes the cell escaping.</summary>
    public static string Unescape(string cell)
    {
        if (!cell.Contains('\\'))
        {
            return cell;
        }

        var builder = new StringBuilder(cell.Length);
        for (int i = 0; i < cell.Length; i++)
        {
            char c = cell[i];
            if (c != '\\' || i + 1 >= cell.Length)
            {
                builder.Append(c);
                continue;
            }

            char next = cell[++i];
            switch (next)
            {
                case '\\': builder.Append('\\'); break;
                case 't': builder.Append('\t'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 'x':
                    builder.Append((char)Convert.ToByte(cell.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                default:
                    throw new InvalidDataException($"Unknown escape '\\{next}' in golden cell '{cell}'.");
            }
        }

        return builder.ToString();
    }
}

/// <summary>One row of a golden TSV file; cells are looked up by column name.</summary>
public sealed class GoldenRow
{
    private readonly string[] _header;
    private readonly string[] _cells;

    internal GoldenRow(string[] header, string[] cells)
    {
        _header = header;
        _cells = cells;
    }

    /// <summary>The raw (still escaped) cell of a column; empty when the row is short.</summary>
    public string this[string column]
    {
        get
        {
            int index = Array.IndexOf(_header, column);
            if (index < 0)
            {
                throw new KeyNotFoundException($"No golden column '{column}' (columns: {string.Join(", ", _header)}).");
            }

            return index < _cells.Length ? _cells[index] : string.Empty;
        }
    }

    /// <summary>The unescaped text of a column.</summary>
    public string Text(string column) => GoldenTsv.Unescape(this[column]);

    /// <summary>The bytes of a hex column.</summary>
    public byte[] Hex(string column) => Convert.FromHexString(this[column]);

    /// <inheritdoc />
    public override string ToString() => string.Join(" | ", _cells);
}
