using Retain.Data;

namespace Retain.Datasets.Esci;

/// <summary>
/// The paper's ESCI prompts (appendix C, Tables 5 and 6: the Qwen rendering shows the system and user messages and the
/// assistant prefill) and the targets they imply. Product information is one <c>Name: value</c> line per non-empty
/// configured column; the paper does not show its exact product format.
/// </summary>
public static class EsciPrompts
{
    /// <summary>System message of the label-only prompt (Table 5).</summary>
    public const string LabelOnlySystem = "You are a helpful assistant. You provide the user with the answer.";

    /// <summary>System message of the CoT prompt (Table 6).</summary>
    public const string CotSystem = "You are a helpful assistant. You first think about the reasoning process in the mind and then provide the user with the answer.";

    private const string Task = "Your task is to classify each product as being an Exact, Substitute, Complement, or Irrelevant match for the query.";
    private const string Labels = "Label the relation type as a number: 0 = Exact, 1 = Substitute, 2 = Complement and 3 = Irrelevant. For example,";

    private static readonly Dictionary<string, string> FieldNames = new()
    {
        ["product_title"] = "Title",
        ["product_brand"] = "Brand",
        ["product_color"] = "Color",
        ["product_bullet_point"] = "Bullet points",
        ["product_description"] = "Description",
    };

    /// <summary>The system and user messages.</summary>
    public static IReadOnlyList<ChatMessage> Prompt(EsciVariant variant, string query, string productInfo)
    {
        string head = $"{Task}\nHere is the user\u2019s query:\n{query}\nHere is the product information:\n{productInfo}\n--------------\n";
        return variant == EsciVariant.LabelOnly
            ?
            [
                ChatMessage.System(LabelOnlySystem),
                ChatMessage.User(head + "Your final response must be within <answer> </answer> tags.\n" + Labels + "\n<answer>one_of_[0, 1, 2, 3]</answer>."),
            ]
            :
            [
                ChatMessage.System(CotSystem),
                ChatMessage.User(head
                    + "Please show your entire reasoning process in **a single** <think> </think> block (do not open or close the tag more than once).\n"
                    + "Your final response must be within <answer> </answer> tags.\n" + Labels
                    + "\n<think>\n[entire reasoning process here]\n</think>\n<answer>one_of_[0, 1, 2, 3]</answer>"),
            ];
    }

    /// <summary>The paper's assistant prefill: <c>&lt;answer&gt;</c> (label only) or <c>&lt;think&gt;</c> (CoT).</summary>
    public static string Prefix(EsciVariant variant) => variant == EsciVariant.LabelOnly ? "<answer>" : "<think>";

    /// <summary>
    /// The full assistant text after the prefix: <c>N&lt;/answer&gt;</c>, or <c>\n{rationale}\n&lt;/think&gt;\n&lt;answer&gt;N&lt;/answer&gt;</c>
    /// (an empty think block when <paramref name="rationale"/> is null: validation and test rows need none).
    /// </summary>
    public static string Continuation(EsciVariant variant, string label, string? rationale)
    {
        int number = EsciLabels.Number(label);
        if (variant == EsciVariant.LabelOnly) return $"{number}</answer>";
        string thinking = string.IsNullOrWhiteSpace(rationale) ? "" : $"\n{rationale.Trim()}";
        return $"{thinking}\n</think>\n<answer>{number}</answer>";
    }

    /// <summary>The product information block: <c>Title: …</c>, <c>Brand: …</c>, … for the non-empty fields, in order.</summary>
    public static string ProductInfo(IReadOnlyList<string> fields, Func<string, string?> value) => string.Join("\n",
        fields.Select(f => (Name: FieldNames.GetValueOrDefault(f, f), Value: value(f)?.Trim()))
              .Where(p => !string.IsNullOrEmpty(p.Value))
              .Select(p => $"{p.Name}: {p.Value}"));
}
