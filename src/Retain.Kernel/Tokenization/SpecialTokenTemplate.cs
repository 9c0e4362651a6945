namespace Retain.Kernel.Tokenization;

/// <summary>
/// What <c>Encode(addSpecialTokens: true)</c> puts around a single sequence: the ids before and after it. Read from
/// the <c>post_processor</c> (TemplateProcessing's <c>single</c> template; ByteLevel adds nothing; Sequence combines
/// its processors).
/// </summary>
internal sealed record SpecialTokenTemplate(int[] Prefix, int[] Suffix)
{
    public static readonly string[] SupportedTypes = ["ByteLevel", "Sequence", "TemplateProcessing"];

    public static readonly SpecialTokenTemplate None = new([], []);

    /// <summary>Whether the JSON describes any post-processor at all.</summary>
    public static SpecialTokenTemplate? FromJson(JsonNode? node)
    {
        if (node is not { } n) return null;
        var type = n.Required("type");
        switch (type.AsString())
        {
            case "ByteLevel":
                return None;
            case "TemplateProcessing":
                return FromTemplate(n);
            case "Sequence":
            {
                var prefix = new List<int>();
                var suffix = new List<int>();
                foreach (var step in n.Required("processors").Items())
                {
                    var t = FromJson(step)!;
                    prefix.AddRange(t.Prefix);
                    suffix.InsertRange(0, t.Suffix);
                }
                return new SpecialTokenTemplate(prefix.ToArray(), suffix.ToArray());
            }
            default:
                throw type.Unsupported(type.AsString(), SupportedTypes);
        }
    }

    private static SpecialTokenTemplate FromTemplate(JsonNode node)
    {
        var specialIds = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (node.Optional("special_tokens") is { } specials)
        {
            foreach (var (name, value) in specials.Properties())
                specialIds[name] = value.Required("ids").Items().Select(i => i.AsInt()).ToArray();
        }
        var prefix = new List<int>();
        var suffix = new List<int>();
        var seenSequence = false;
        foreach (var item in node.Required("single").Items())
        {
            if (item.Optional("Sequence") is { } sequence)
            {
                var id = sequence.String("id");
                if (id != "A" || seenSequence) throw sequence.Error($"refers to sequence '{id}'; a single-sequence template holds sequence A once");
                seenSequence = true;
            }
            else if (item.Optional("SpecialToken") is { } special)
            {
                var idNode = special.Required("id");
                var name = idNode.AsString();
                var ids = specialIds.TryGetValue(name, out var found) ? found : throw idNode.Error($"'{name}' is not listed in special_tokens");
                (seenSequence ? suffix : prefix).AddRange(ids);
            }
            else
            {
                throw item.Error("must be a \"Sequence\" or a \"SpecialToken\" item");
            }
        }
        if (!seenSequence) throw node.Required("single").Error("has no Sequence item");
        return new SpecialTokenTemplate(prefix.ToArray(), suffix.ToArray());
    }
}
