using System.Text.Json;

namespace ClawSec.Core.Configuration;

/// <summary>A value from the configuration file: JSON types are strict, so <c>"8888"</c> is not a port.</summary>
internal sealed class JsonSettingValue(string key, string where, JsonElement element) : SettingValue(key, key, where)
{
    public JsonElement Element { get; } = element;

    public override bool IsNull => Element.ValueKind == JsonValueKind.Null;

    public override string NestedWhere => Where;

    protected override string BooleanSpellings => "true or false";

    protected override string Shown => Element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => Messages.Quote(Element.GetString()!),
        _ => Messages.Shorten(Element.GetRawText()),
    };

    public override JsonElement ReadJson() => Element;

    protected override bool TryGetString(out string value)
    {
        value = Element.ValueKind == JsonValueKind.String ? Element.GetString()! : "";
        return Element.ValueKind == JsonValueKind.String;
    }

    protected override bool TryGetInteger(out long value)
    {
        value = 0;
        return Element.ValueKind == JsonValueKind.Number && Element.TryGetInt64(out value);
    }

    protected override bool TryGetNumber(out double value)
    {
        value = 0;
        return Element.ValueKind == JsonValueKind.Number && Element.TryGetDouble(out value);
    }

    protected override bool TryGetBoolean(out bool value)
    {
        value = Element.ValueKind == JsonValueKind.True;
        return Element.ValueKind is JsonValueKind.True or JsonValueKind.False;
    }
}
