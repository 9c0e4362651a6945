using Retain.Data;
using Retain.Datasets.Extraction;
using Retain.Plugins;

namespace Retain.Datasets.Formats.Extractors;

/// <summary>The last number in the response, thousands commas removed (<c>"$1,080."</c> gives <c>1080</c>).</summary>
[RetainComponent("last-number", Description = "The last number in the response (commas removed).")]
public sealed class LastNumberExtractor : IAnswerExtractor
{
    /// <inheritdoc />
    public string? Extract(string response) => AnswerPatterns.LastNumber(response);
}

/// <summary>lm-eval's GSM8K strict-match: the number after the first <c>#### </c>.</summary>
[RetainComponent("gsm8k-strict", Description = "lm-eval GSM8K strict-match: the number after the first '#### '.")]
public sealed class Gsm8kStrictExtractor : IAnswerExtractor
{
    /// <inheritdoc />
    public string? Extract(string response) => Gsm8kAnswers.Strict.Apply(response) is var value && value != RegexFilter.Invalid ? value : null;
}

/// <summary>lm-eval's GSM8K flexible-extract: the last number-like token.</summary>
[RetainComponent("gsm8k-flexible", Description = "lm-eval GSM8K flexible-extract: the last number-like token.")]
public sealed class Gsm8kFlexibleExtractor : IAnswerExtractor
{
    /// <inheritdoc />
    public string? Extract(string response) => Gsm8kAnswers.Flexible.Apply(response) is var value && value != RegexFilter.Invalid ? value : null;
}

/// <summary>The value of the last <c>"answer": …}</c>, read as MedCalc-Bench reads it.</summary>
[RetainComponent("json-answer", Description = "The value of the last \"answer\": ...} in a JSON-ish response (MedCalc-Bench's rule).")]
public sealed class JsonAnswerExtractor : IAnswerExtractor
{
    /// <inheritdoc />
    public string? Extract(string response) => AnswerPatterns.JsonAnswer(response);
}

/// <summary>The content of the last <c>\boxed{…}</c>.</summary>
[RetainComponent("boxed", Description = "The content of the last \\boxed{...} (braces balanced).")]
public sealed class BoxedExtractor : IAnswerExtractor
{
    /// <inheritdoc />
    public string? Extract(string response) => AnswerPatterns.Boxed(response);
}

/// <summary>The content of the last <c>&lt;answer&gt;…&lt;/answer&gt;</c>.</summary>
[RetainComponent("answer-tag", Description = "The content of the last <answer>...</answer>.")]
public sealed class AnswerTagExtractor : IAnswerExtractor
{
    /// <inheritdoc />
    public string? Extract(string response) => AnswerPatterns.AnswerTag(response);
}
