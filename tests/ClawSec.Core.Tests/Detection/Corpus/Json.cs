using System.Globalization;
using System.Text;

namespace ClawSec.Core.Tests.Detection.Corpus;

/// <summary>JSON string literals as agents' clients write them (Python's json.dumps, which escapes non-ASCII by default).</summary>
internal static class Json
{
    public static string Str(string value, bool asciiOnly = true)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                default:
                    if (c < ' ' || (asciiOnly && c > '~'))
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
