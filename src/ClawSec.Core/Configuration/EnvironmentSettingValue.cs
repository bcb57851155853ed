using System.Globalization;
using System.Text.Json;

namespace ClawSec.Core.Configuration;

/// <summary>
/// A value from a <c>CLAWSEC_*</c> variable: always text, so numbers and booleans are parsed from it
/// (invariant culture, surrounding blanks ignored) and structured keys hold JSON.
/// </summary>
internal sealed class EnvironmentSettingValue(string key, string variable, string text)
    : SettingValue(key, variable, $"environment variable {variable}")
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public string Text { get; } = text;

    public override bool IsNull => false;

    public override string NestedWhere => $"{Where}: {Key}";

    protected override string BooleanSpellings => "true or false (or 1/0, yes/no)";

    protected override string Shown => Messages.Quote(Text);

    public override JsonElement ReadJson()
    {
        try
        {
            using var document = JsonDocument.Parse(Text, JsonOptions);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Problem($"not valid JSON: {JsonErrors.Describe(e)}");
        }
    }

    protected override bool TryGetString(out string value)
    {
        value = Text;
        return true;
    }

    protected override bool TryGetInteger(out long value) =>
        long.TryParse(Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    protected override bool TryGetNumber(out double value) =>
        double.TryParse(Text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);

    protected override bool TryGetBoolean(out bool value)
    {
        switch (Text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes":
                value = true;
                return true;
            case "false" or "0" or "no":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
